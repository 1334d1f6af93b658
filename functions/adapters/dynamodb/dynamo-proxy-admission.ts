// ProxyAdmission on DynamoDB. Hot path: ONE conditional UpdateItem (ReturnValues ALL_NEW, which
// is strongly consistent) on the Metrion Key lookup item: the condition checks that the key
// exists with a view, that both windows have room under the plan at `:now`, that the view's
// budgets are the ones the request was planned from and that every checked budget has room for
// the request's maximum cost; the update counts both windows, drops the previous minute's and
// month's counters, and reserves the maximum cost on the matching budgets
// (`admission-budgets.ts`). Refusal path only: GetItem (consistent) to tell why, UpdateItem to
// tally the refusal, and for a bare lookup item a view refresh (`proxy-view.ts`) before trying
// again. Counters of windows long past are removed by a background UpdateItem once a few have
// piled up.
import {
  type DynamoDBDocumentClient,
  GetCommand,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { NEVER_PRO_MS } from '#core/billing/billing-state.ts';
import type { Plan } from '#core/billing/plans.ts';
import type {
  Admission,
  AdmissionRequest,
  AdmissionWindow,
  ProxyAdmission,
  WindowCount,
} from '#core/ports/proxy-admission.ts';
import { lookupKey } from './account-items.ts';
import {
  type BudgetClauses,
  budgetFailure,
  refusalFigures,
  refuseClauses,
  reserveClauses,
} from './admission-budgets.ts';
import { budgetViewOf } from './budget-ledger-items.ts';
import { conditionalUpdate, conditionalUpdateOutput } from './conditional-write.ts';
import { dynamoCall, dynamoUnavailable } from './dynamo-errors.ts';
import {
  COUNT_PREFIX,
  countersOf,
  type LookupItem,
  REFUSED_PREFIX,
  refreshProxyView,
  viewProviderKey,
} from './proxy-view.ts';
import { Expression, NEVER } from './update-expression.ts';

export interface DynamoProxyAdmissionOptions {
  readonly client: DynamoDBDocumentClient;
  /** Physical name of the `accounts` table (see `tableName(prefix, 'accounts')`). */
  readonly tableName: string;
}

/**
 * Conditional writes before giving up when the item keeps changing between write and read (a
 * budget refusal takes two: the reservation that failed, then the tally).
 */
const MAX_ATTEMPTS = 4;
/** Counters of past windows tolerated on an item before a sweep removes them. */
const MAX_STRAY_COUNTERS = 6;
const UNKNOWN_KEY: Admission = { outcome: 'unknown-key' };

/**
 * The condition under which `window` still has room, or undefined when it never fills. The plan
 * is Pro exactly while `proUntilMs > :now` (see `proUntilMs`), so limits that differ per plan
 * become two guarded alternatives.
 */
function roomCondition(
  expression: Expression,
  count: string,
  window: AdmissionWindow,
  now: () => string,
): string | undefined {
  const room = (limit: number | null): string | undefined => {
    if (limit === null) return undefined;
    // `pk` always exists on the item: a limit below 1 admits nothing.
    if (limit < 1) return NEVER;
    return `(attribute_not_exists(${count}) OR ${count} < ${expression.value(limit)})`;
  };
  const { free, pro } = window.limits;
  if (free === pro) return room(free);
  const whilePlan = (planIs: string, limit: number | null): string => {
    const roomLeft = room(limit);
    return roomLeft === undefined ? `(${planIs})` : `(${planIs} AND ${roomLeft})`;
  };
  return `(${whilePlan(`proUntilMs > ${now()}`, pro)} OR ${whilePlan(`proUntilMs <= ${now()}`, free)})`;
}

/**
 * The windows a request is counted in: a request a budget refuses counts on the key's minute only
 * (like every logged refusal), never on the month.
 */
function countedWindows(request: AdmissionRequest): AdmissionWindow[] {
  return request.month === undefined || request.budget?.kind === 'refuse'
    ? [request.minute]
    : [request.minute, request.month];
}

function budgetClauses(expression: Expression, request: AdmissionRequest): BudgetClauses {
  const { budget } = request;
  if (budget === undefined) return { conditions: [], set: [] };
  return budget.kind === 'reserve'
    ? reserveClauses(expression, budget)
    : refuseClauses(expression, budget);
}

function admitInput(tableName: string, request: AdmissionRequest): UpdateCommandInput {
  const expression = new Expression();
  let nowPlaceholder: string | undefined;
  const now = () => {
    nowPlaceholder ??= expression.value(request.nowMs);
    return nowPlaceholder;
  };
  const zero = expression.value(0);
  const one = expression.value(1);
  const set: string[] = [];
  const remove: string[] = [];
  const conditions = ['attribute_exists(viewVersion)'];
  for (const window of countedWindows(request)) {
    const count = expression.name(`${COUNT_PREFIX}${window.counter}`);
    set.push(`${count} = if_not_exists(${count}, ${zero}) + ${one}`);
    remove.push(
      expression.name(`${COUNT_PREFIX}${window.previousCounter}`),
      expression.name(`${REFUSED_PREFIX}${window.previousCounter}`),
    );
    const room = roomCondition(expression, count, window, now);
    if (room !== undefined) conditions.push(room);
  }
  const budget = budgetClauses(expression, request);
  conditions.push(...budget.conditions);
  set.push(...budget.set);
  return {
    TableName: tableName,
    Key: lookupKey(request.keyDigest),
    UpdateExpression: `SET ${set.join(', ')} REMOVE ${remove.join(', ')}`,
    ConditionExpression: conditions.join(' AND '),
    ExpressionAttributeNames: expression.names,
    ExpressionAttributeValues: expression.values,
    ReturnValues: 'ALL_NEW',
  };
}

function isFull(item: LookupItem, window: AdmissionWindow, plan: Plan): boolean {
  const limit = window.limits[plan];
  return limit !== null && (item[`${COUNT_PREFIX}${window.counter}`] ?? 0) >= limit;
}

/** Why the conditional write failed on an item with a view, or undefined if it no longer does. */
function refusalOf(
  item: LookupItem,
  request: AdmissionRequest,
): Extract<Admission, { outcome: 'refused' }> | undefined {
  const plan: Plan = (item.proUntilMs ?? NEVER_PRO_MS) > request.nowMs ? 'pro' : 'free';
  if (isFull(item, request.minute, plan)) return { outcome: 'refused', window: 'minute', plan };
  if (
    request.month !== undefined &&
    request.budget?.kind !== 'refuse' &&
    isFull(item, request.month, plan)
  ) {
    return { outcome: 'refused', window: 'month', plan };
  }
  return undefined;
}

/** {@link ProxyAdmission} on the `accounts` table's Metrion Key lookup items. */
export class DynamoProxyAdmission implements ProxyAdmission {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;
  #sweeping: Promise<void> = Promise.resolve();

  constructor(options: DynamoProxyAdmissionOptions) {
    this.#client = options.client;
    this.#tableName = options.tableName;
  }

  async admit(asked: AdmissionRequest): Promise<Admission> {
    let request = asked;
    let refreshed = false;
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
      const output = await conditionalUpdateOutput(
        this.#client,
        admitInput(this.#tableName, request),
      );
      if (output !== undefined) {
        const item = output.Attributes as LookupItem;
        this.#sweepStrayCounters(item, request);
        const providerKey = viewProviderKey(item, request.provider);
        const account = item.account as NonNullable<LookupItem['account']>;
        const caller = { account, providerKey };
        if (request.budget?.kind === 'refuse') {
          return {
            outcome: 'budget-refused',
            caller,
            figures: refusalFigures(item, request.budget),
          };
        }
        const budgets = budgetViewOf(item);
        return { outcome: 'admitted', caller, budgets };
      }
      const item = await this.#read(request.keyDigest);
      if (item?.accountId === undefined) return UNKNOWN_KEY;
      if (item.viewVersion === undefined) {
        // Bare: just created, or written before views existed. Still bare after a refresh means
        // the profile names another digest (a lookup left by a lost regeneration race).
        if (refreshed) return UNKNOWN_KEY;
        refreshed = true;
        await refreshProxyView(this.#table, item.accountId);
        continue;
      }
      const refusal = refusalOf(item, request);
      if (refusal !== undefined) {
        await this.#tallyRefusal(request, refusal.window);
        return refusal;
      }
      const failure =
        request.budget === undefined ? undefined : budgetFailure(item, request.budget);
      if (failure?.kind === 'changed') {
        const budgets = budgetViewOf(item);
        return { outcome: 'budgets-changed', budgets };
      }
      // Over a ceiling: the next write tallies the refusal (and counts the key's minute).
      if (failure?.kind === 'exceeded') request = { ...request, budget: failure.refusal };
      // Otherwise the plan or the windows changed between the write and the read: decide again.
    }
    throw dynamoUnavailable('UpdateItem', { retryable: true });
  }

  async windowCount(keyDigest: string, counter: string): Promise<WindowCount> {
    const item = await this.#read(keyDigest);
    return {
      count: item?.[`${COUNT_PREFIX}${counter}`] ?? 0,
      refused: item?.[`${REFUSED_PREFIX}${counter}`] ?? 0,
    };
  }

  /** Resolves once the background sweeps started so far are done (tests, shutdown). */
  whenSwept(): Promise<void> {
    return this.#sweeping;
  }

  get #table() {
    return { client: this.#client, tableName: this.#tableName };
  }

  async #read(keyDigest: string): Promise<LookupItem | undefined> {
    const output = await dynamoCall('GetItem', () =>
      this.#client.send(
        new GetCommand({
          TableName: this.#tableName,
          Key: lookupKey(keyDigest),
          ConsistentRead: true,
        }),
      ),
    );
    return output.Item as LookupItem | undefined;
  }

  /** Best effort, like the tally it replaces: a lost tally must not turn a 429 into a 503. */
  async #tallyRefusal(request: AdmissionRequest, window: 'minute' | 'month'): Promise<void> {
    const counter = window === 'minute' ? request.minute.counter : request.month?.counter;
    const expression = new Expression();
    const tally = expression.name(`${REFUSED_PREFIX}${counter}`);
    await conditionalUpdate(this.#client, {
      TableName: this.#tableName,
      Key: lookupKey(request.keyDigest),
      UpdateExpression: `SET ${tally} = if_not_exists(${tally}, ${expression.value(0)}) + ${expression.value(1)}`,
      // Never recreate an item a regeneration just deleted.
      ConditionExpression: 'attribute_exists(accountId)',
      ExpressionAttributeNames: expression.names,
      ExpressionAttributeValues: expression.values,
    }).catch(() => undefined);
  }

  /**
   * The hot write drops the previous window's counters, but a key idle for a while keeps the
   * counter of its last active minute. Once a few pile up, one UpdateItem removes them, off the
   * hot path and not awaited: removing a past window's counter is idempotent and can never
   * change a decision, so a sweep lost to a frozen Lambda only costs item bytes until the next.
   */
  #sweepStrayCounters(item: LookupItem, request: AdmissionRequest): void {
    const live = new Set(
      request.liveCounters.flatMap((counter) => [
        `${COUNT_PREFIX}${counter}`,
        `${REFUSED_PREFIX}${counter}`,
      ]),
    );
    const strays = Object.keys(countersOf(item)).filter((name) => !live.has(name));
    if (strays.length <= MAX_STRAY_COUNTERS) return;
    const expression = new Expression();
    const input: UpdateCommandInput = {
      TableName: this.#tableName,
      Key: lookupKey(request.keyDigest),
      UpdateExpression: `REMOVE ${strays.map((name) => expression.name(name)).join(', ')}`,
      ConditionExpression: 'attribute_exists(accountId)',
      ExpressionAttributeNames: expression.names,
    };
    this.#sweeping = this.#sweeping
      .then(() => conditionalUpdate(this.#client, input))
      .then(
        () => undefined,
        () => undefined,
      );
  }
}
