import { randomUUID } from 'node:crypto';
import { beforeEach, expect, it } from 'vitest';
import type { AccountEmailIndex } from '#core/ports/account-email-index.ts';

const AT = '2026-12-06T10:00:00.000Z';
const LATER = '2026-12-06T11:00:00.000Z';

/**
 * The AccountEmailIndex contract: every implementation (in-memory fake, DynamoAccountEmailIndex)
 * must pass it. Tests use fresh addresses, so tables may be shared.
 */
export function accountEmailIndexContract(
  createIndex: () => AccountEmailIndex | Promise<AccountEmailIndex>,
) {
  let index: AccountEmailIndex;
  let email: string;

  beforeEach(async () => {
    index = await createIndex();
    email = `${randomUUID()}@example.com`;
  });

  it('gives an unclaimed address to the first account that claims it', async () => {
    expect(await index.claimEmail(email, 'acct-a', AT)).toEqual({
      accountId: 'acct-a',
      claimedAt: AT,
    });
    expect(await index.findEmail(email)).toEqual({ accountId: 'acct-a', claimedAt: AT });
  });

  it('keeps the first claim when another account claims the address, in any letter case', async () => {
    await index.claimEmail(email, 'acct-a', AT);

    const second = await index.claimEmail(` ${email.toUpperCase()} `, 'acct-b', LATER);

    expect(second).toEqual({ accountId: 'acct-a', claimedAt: AT });
    expect(await index.findEmail(email.toUpperCase())).toEqual({
      accountId: 'acct-a',
      claimedAt: AT,
    });
  });

  it('lets the holder claim its address again', async () => {
    await index.claimEmail(email, 'acct-a', AT);

    expect((await index.claimEmail(email, 'acct-a', LATER)).accountId).toBe('acct-a');
  });

  it('finds nothing for an address never claimed', async () => {
    expect(await index.findEmail(email)).toBeUndefined();
  });

  it('releases a claim only for the account that holds it', async () => {
    await index.claimEmail(email, 'acct-a', AT);

    expect(await index.releaseEmail(email, 'acct-b')).toBe(false);
    expect((await index.findEmail(email))?.accountId).toBe('acct-a');
    expect(await index.releaseEmail(email, 'acct-a')).toBe(true);
    expect(await index.findEmail(email)).toBeUndefined();
    expect((await index.claimEmail(email, 'acct-b', LATER)).accountId).toBe('acct-b');
  });
}
