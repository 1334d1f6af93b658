import type { Page } from 'playwright-core';
import { DynamoAccountStore } from '#adapters/dynamodb/dynamo-account-store.ts';
import type { DashboardStack } from './dashboard-stack.ts';

/** The signed-in account's id, asked of the API with the page's own session. */
export function signedInAccountId(page: Page): Promise<string> {
  return page.evaluate(async () => {
    const session = JSON.parse(sessionStorage.getItem('metrion.session') ?? '{}');
    const answer = await fetch('/api/me', {
      headers: { authorization: `Bearer ${session.idToken}` },
    });
    return (await answer.json()).accountId as string;
  });
}

/** Writes the signed-in account's profile directly, as a Stripe upgrade or Settings would. */
export async function updateSignedInProfile(
  stack: DashboardStack,
  changes: Parameters<DynamoAccountStore['updateProfile']>[1],
): Promise<void> {
  await new DynamoAccountStore({
    client: stack.metrion.data.documentClient,
    tableName: stack.metrion.data.accountsTable,
  }).updateProfile(await signedInAccountId(stack.page), changes);
}
