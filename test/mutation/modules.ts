/**
 * The modules `npm run mutate` mutation-tests: where money and trust live. Each runs on its own
 * (its own report and incremental file under `test-artifacts/mutation/<name>/`), so a rerun of
 * one module neither repeats nor forgets another's results. A module whose files do not exist
 * yet is skipped with a note (budgets join as soon as their files land).
 */
export interface MutationModule {
  /** Short name: the folder under `test-artifacts/mutation/` and the key in the score file. */
  readonly name: string;
  /** Files to mutate (paths or globs from the repository root). */
  readonly mutate: readonly string[];
  /**
   * The test files run against its mutants: the module's own unit and contract suites (with
   * dynalite where an adapter is mutated). Per mutant, only the tests that reached it run.
   */
  readonly tests: readonly string[];
}

/** Each module must keep at least this share of its mutants killed (percent). */
export const TARGET_SCORE = 85;

export const MUTATION_MODULES: readonly MutationModule[] = [
  {
    name: 'pricing',
    mutate: [
      'functions/core/pricing/cost.ts',
      'functions/core/pricing/resolve-model.ts',
      'functions/core/pricing/service-tier-prices.ts',
    ],
    tests: ['test/unit/core/pricing/*.test.ts'],
  },
  {
    name: 'rollups',
    mutate: [
      'functions/core/rollups/rollup.ts',
      'functions/core/rollups/aggregate-usage.ts',
      'functions/core/rollups/reseal-usage.ts',
    ],
    tests: ['test/unit/core/rollups/*.test.ts', 'test/unit/handlers/aggregate-usage.test.ts'],
  },
  {
    name: 'billing',
    mutate: [
      'functions/core/billing/billing-state.ts',
      'functions/core/billing/billing-service.ts',
      'functions/core/billing/webhook-delivery.ts',
    ],
    tests: ['test/unit/core/billing/*.test.ts', 'test/unit/handlers/stripe-webhook.test.ts'],
  },
  {
    name: 'limits',
    mutate: ['functions/core/limits/request-limits.ts', 'functions/core/proxy/admit-request.ts'],
    tests: [
      'test/unit/core/limits/*.test.ts',
      'test/unit/core/proxy/admit-request.test.ts',
      'test/unit/core/proxy/proxy-service*.test.ts',
      'test/contract/proxy-admission.test.ts',
    ],
  },
  {
    name: 'admission-dynamodb',
    mutate: [
      'functions/adapters/dynamodb/dynamo-proxy-admission.ts',
      'functions/adapters/dynamodb/proxy-view.ts',
    ],
    tests: [
      'test/contract/proxy-admission.test.ts',
      'test/contract/proxy-view-races.test.ts',
      'test/contract/account-store.test.ts',
      'test/contract/metrion-key-store.test.ts',
      'test/contract/metrion-key-replacement-faults.test.ts',
      'test/contract/budget-ledger.test.ts',
      'test/contract/provider-key-store.test.ts',
      'test/contract/billing-store.test.ts',
    ],
  },
  {
    name: 'vault',
    mutate: ['functions/core/vault/envelope.ts', 'functions/core/vault/secret-vault.ts'],
    tests: ['test/unit/core/vault/*.test.ts', 'test/unit/core/proxy/admit-request.test.ts'],
  },
  {
    name: 'alerts',
    mutate: [
      'functions/core/alerts/evaluate-alerts.ts',
      'functions/core/alerts/measure-rule.ts',
      'functions/core/alerts/measure-now.ts',
      'functions/core/alerts/exact-usage.ts',
    ],
    tests: ['test/unit/core/alerts/*.test.ts'],
  },
  {
    name: 'alert-trends',
    mutate: [
      'functions/core/alerts/forecast.ts',
      'functions/core/alerts/spike.ts',
      'functions/core/alerts/measure-trends.ts',
    ],
    tests: ['test/unit/core/alerts/*.test.ts'],
  },
  {
    name: 'alert-channels',
    mutate: [
      'functions/core/alerts/channels/deliver.ts',
      'functions/core/alerts/channels/alert-delivery.ts',
    ],
    tests: ['test/unit/core/alerts/**/*.test.ts'],
  },
  {
    name: 'alert-claims',
    mutate: [
      'functions/adapters/dynamodb/dynamo-alert-rule-store.ts',
      'functions/adapters/dynamodb/dynamo-alert-firing-store.ts',
      'functions/adapters/dynamodb/dynamo-alert-test-claim-store.ts',
    ],
    tests: [
      'test/contract/alert-rule-store.test.ts',
      'test/contract/alert-rule-count-race.test.ts',
      'test/contract/alert-firing-store.test.ts',
      'test/contract/alert-test-claim-store.test.ts',
    ],
  },
  {
    name: 'budgets',
    mutate: ['functions/core/budgets/**/*.ts'],
    tests: [
      'test/unit/core/budgets/**/*.test.ts',
      'test/unit/core/proxy/proxy-service-budgets.test.ts',
      'test/contract/budget*.test.ts',
    ],
  },
];
