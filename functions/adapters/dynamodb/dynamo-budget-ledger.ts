// BudgetLedger on DynamoDB: the budget attributes of the account's Metrion Key lookup item
// (`budget-ledger-items.ts`), found through the profile's digest. GetItem (profile and lookup
// item, consistent), UpdateItem (conditional on the reservation's entry or release marker).
import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { BudgetCharge, BudgetReservation } from '#core/budgets/reservation.ts';
import type {
  BudgetLedger,
  LedgerState,
  OpenReservation,
  SettleOutcome,
} from '#core/ports/budget-ledger.ts';
import { type Key, lookupKey, profileKey } from './account-items.ts';
import {
  blockedAttribute,
  committedAttribute,
  ledgerStateOf,
  releasedAttribute,
  reservationAttribute,
} from './budget-ledger-items.ts';
import { conditionalUpdate } from './conditional-write.ts';
import { dynamoCall, dynamoUnavailable } from './dynamo-errors.ts';
import { Expression } from './update-expression.ts';

const EMPTY: LedgerState = {
  committed: new Map(),
  blocked: new Map(),
  reservations: [],
  released: new Map(),
};

/** {@link BudgetLedger} on the `accounts` table's Metrion Key lookup items. */
export class DynamoBudgetLedger implements BudgetLedger {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;

  constructor(options: { client: DynamoDBDocumentClient; tableName: string }) {
    this.#client = options.client;
    this.#tableName = options.tableName;
  }

  async state(accountId: string): Promise<LedgerState> {
    const key = await this.#lookupKeyOf(accountId);
    const item = key === undefined ? undefined : await this.#get(key);
    return item === undefined ? EMPTY : ledgerStateOf(item);
  }

  /**
   * 1. `REMOVE q:<id> ADD <each charge> (actual - reserved)` if the entry exists; 2. else
   * `REMOVE z:<id> ADD <each charge> actual` if it was released; 3. else settled before, unless
   * the lookup item is missing or no longer the profile's (a key regeneration moving the
   * ledger): then try the profile's current item once, and fail retryably if it is missing too.
   */
  async settle(
    accountId: string,
    requestId: string,
    reservation: BudgetReservation,
    actualPicoUsd: bigint,
  ): Promise<SettleOutcome> {
    let key = await this.#lookupKeyOf(accountId);
    for (let attempt = 1; attempt <= 2 && key !== undefined; attempt += 1) {
      const open = reservationAttribute(requestId);
      if (
        await this.#move(
          key,
          open,
          reservation.charges,
          actualPicoUsd - reservation.reservedPicoUsd,
        )
      ) {
        return 'settled';
      }
      if (await this.#move(key, releasedAttribute(requestId), reservation.charges, actualPicoUsd)) {
        return 'settled-late';
      }
      const item = await this.#get(key);
      if (item?.accountId === accountId) return 'already-settled';
      const current = await this.#lookupKeyOf(accountId);
      if (current?.pk === key.pk) break;
      key = current;
    }
    throw dynamoUnavailable('UpdateItem', { retryable: true });
  }

  async release(accountId: string, reservation: OpenReservation, nowMs: number): Promise<boolean> {
    const key = await this.#lookupKeyOf(accountId);
    if (key === undefined) return false;
    const expression = new Expression();
    const entry = expression.name(reservationAttribute(reservation.requestId));
    return conditionalUpdate(this.#client, {
      TableName: this.#tableName,
      Key: key,
      UpdateExpression: `SET ${expression.name(releasedAttribute(reservation.requestId))} = ${expression.value(nowMs)} REMOVE ${entry} ${addClause(expression, reservation.charges, -reservation.reservedPicoUsd)}`,
      ConditionExpression: `attribute_exists(${entry})`,
      ExpressionAttributeNames: expression.names,
      ExpressionAttributeValues: expression.values,
    });
  }

  async prune(
    accountId: string,
    stale: { readonly charges: readonly BudgetCharge[]; readonly released: readonly string[] },
  ): Promise<void> {
    const names = [
      ...stale.charges.flatMap((charge) => [committedAttribute(charge), blockedAttribute(charge)]),
      ...stale.released.map(releasedAttribute),
    ];
    const key = await this.#lookupKeyOf(accountId);
    if (key === undefined || names.length === 0) return;
    const expression = new Expression();
    await conditionalUpdate(this.#client, {
      TableName: this.#tableName,
      Key: key,
      UpdateExpression: `REMOVE ${names.map((name) => expression.name(name)).join(', ')}`,
      ConditionExpression: 'attribute_exists(accountId)',
      ExpressionAttributeNames: expression.names,
    });
  }

  /** Moves money for an entry (`q:` or `z:`) and removes it, only if it is there. */
  #move(
    key: Key,
    entryName: string,
    charges: readonly BudgetCharge[],
    delta: bigint,
  ): Promise<boolean> {
    const expression = new Expression();
    const entry = expression.name(entryName);
    return conditionalUpdate(this.#client, {
      TableName: this.#tableName,
      Key: key,
      UpdateExpression: `REMOVE ${entry} ${addClause(expression, charges, delta)}`,
      ConditionExpression: `attribute_exists(${entry})`,
      ExpressionAttributeNames: expression.names,
      ExpressionAttributeValues: expression.values,
    });
  }

  /** The lookup item of the account's current Metrion Key, as the profile names it. */
  async #lookupKeyOf(accountId: string): Promise<Key | undefined> {
    const profile = await this.#get(profileKey(accountId));
    const digest = profile?.metrionKeyDigest;
    return typeof digest === 'string' ? lookupKey(digest) : undefined;
  }

  async #get(key: Key): Promise<Record<string, unknown> | undefined> {
    const output = await dynamoCall('GetItem', () =>
      this.#client.send(
        new GetCommand({ TableName: this.#tableName, Key: key, ConsistentRead: true }),
      ),
    );
    return output.Item;
  }
}

/** `ADD <committed of each charge> :delta` (a dummy-free clause: there is always a charge). */
function addClause(
  expression: Expression,
  charges: readonly BudgetCharge[],
  delta: bigint,
): string {
  if (charges.length === 0) return '';
  const value = expression.value(delta);
  return `ADD ${charges.map((charge) => `${expression.name(committedAttribute(charge))} ${value}`).join(', ')}`;
}
