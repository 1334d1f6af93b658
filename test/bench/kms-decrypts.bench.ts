// `npm run bench` (KMS): Decrypt calls per 1M proxied requests, counted, not modelled. Seals two
// provider keys per account both ways the vault knows (version 1: a data key per secret; version
// 2: one data key per account), then opens them for one cache period of traffic spread at random
// over accounts, providers and warm environments, each environment with its own vault (its own
// data-key cache, as a Lambda sandbox has). Counts the unwraps the data-key provider answers and
// prints them next to the cost model's figure for the same inputs (`npm run cost`).
import { CryptoRandom } from '#adapters/system/crypto-random.ts';
import type {
  DataKeyProvider,
  EncryptionContext,
  GeneratedDataKey,
} from '#core/ports/data-key-provider.ts';
import type { ProviderId } from '#core/providers/provider-registry.ts';
import type { SealedSecret } from '#core/vault/sealed-secret.ts';
import { createSecretVault, providerKeyContext } from '#core/vault/secret-vault.ts';
import { kmsWindow } from '../../scripts/cost/cost-model.ts';
import { FakeClock } from '../fakes/fake-clock.ts';
import { InMemoryAccountDataKeyStore } from '../fakes/in-memory-account-data-key-store.ts';
import { InMemoryDataKeyProvider } from '../fakes/in-memory-data-key-provider.ts';
import { prng } from '../fixtures/prng.ts';
import { sealVersion1 } from '../fixtures/sealed-v1.ts';

/** The cost report's assumptions: 100 req/s, the vault's default 5-minute cache. */
const REQUESTS_PER_SECOND = 100;
const CACHE_PERIOD_S = 300;
const ACCOUNT_COUNTS = [1_000, 100_000];
/** Warm environments at 100 req/s: 0.3 s JSON answers (30) and 1 s streams (100). */
const ENVIRONMENT_COUNTS = [30, 100];
const PROVIDERS: readonly ProviderId[] = ['openai', 'anthropic'];

/** Counts the unwraps (KMS Decrypt in the Lambda) the vaults ask for. */
class CountingDataKeyProvider implements DataKeyProvider {
  readonly #inner = new InMemoryDataKeyProvider();
  decrypts = 0;

  generateDataKey(context: EncryptionContext): Promise<GeneratedDataKey> {
    return this.#inner.generateDataKey(context);
  }

  decryptDataKey(encrypted: Uint8Array, context: EncryptionContext): Promise<Uint8Array> {
    this.decrypts++;
    return this.#inner.decryptDataKey(encrypted, context);
  }
}

type Sealed = Map<string, SealedSecret>;

/** Both versions of every account's provider keys, sealed with one provider. */
async function sealAll(provider: CountingDataKeyProvider, accounts: number) {
  const clock = new FakeClock();
  const vault = createSecretVault({
    dataKeyProvider: provider,
    accountDataKeys: new InMemoryAccountDataKeyStore(),
    random: new CryptoRandom(),
    clock,
  });
  const perSecret: Sealed = new Map();
  const perAccount: Sealed = new Map();
  for (let account = 0; account < accounts; account++) {
    for (const name of PROVIDERS) {
      const context = providerKeyContext(`acct-${account}`, name);
      const id = `${account}|${name}`;
      perSecret.set(id, await sealVersion1(provider, `sk-${id}`, context));
      perAccount.set(id, await vault.seal(`sk-${id}`, context));
    }
  }
  return { perSecret, perAccount };
}

/** Unwraps per 1M requests over one cache period of traffic with a vault per environment. */
async function decryptsPerMillion(
  provider: CountingDataKeyProvider,
  sealed: Sealed,
  accounts: number,
  environments: number,
): Promise<number> {
  const clock = new FakeClock();
  const vaults = Array.from({ length: environments }, () =>
    createSecretVault({
      dataKeyProvider: provider,
      accountDataKeys: new InMemoryAccountDataKeyStore(),
      random: new CryptoRandom(),
      clock,
    }),
  );
  const random = prng(accounts * 31 + environments);
  const pick = (n: number) => Math.floor(random() * n);
  const requests = REQUESTS_PER_SECOND * CACHE_PERIOD_S;
  provider.decrypts = 0;
  for (let request = 0; request < requests; request++) {
    const account = pick(accounts);
    const name = PROVIDERS[pick(PROVIDERS.length)] ?? 'openai';
    const secret = sealed.get(`${account}|${name}`);
    if (secret === undefined) throw new Error(`not sealed: ${account} ${name}`);
    const opened = await vaults[pick(environments)]?.open(
      secret,
      providerKeyContext(`acct-${account}`, name),
    );
    if (opened !== `sk-${account}|${name}`) throw new Error('opened the wrong secret');
    clock.advance(1000 / REQUESTS_PER_SECOND);
  }
  return (provider.decrypts / requests) * 1e6;
}

const rows: string[][] = [];
for (const accounts of ACCOUNT_COUNTS) {
  const provider = new CountingDataKeyProvider();
  const { perSecret, perAccount } = await sealAll(provider, accounts);
  for (const environments of ENVIRONMENT_COUNTS) {
    const before = await decryptsPerMillion(provider, perSecret, accounts, environments);
    const after = await decryptsPerMillion(provider, perAccount, accounts, environments);
    const window = { requestsPerSecond: REQUESTS_PER_SECOND, environments, ttlS: CACHE_PERIOD_S };
    const modelled = kmsWindow({ ...window, dataKeys: accounts }).perRequest * 1e6;
    rows.push(
      [accounts, environments, before, after, modelled].map((n) =>
        Math.round(n).toLocaleString('en-US'),
      ),
    );
  }
}

const HEADER = [
  'accounts',
  'environments',
  'data key per secret',
  'data key per account',
  'model (per account)',
];
const widths = HEADER.map((title, i) =>
  Math.max(title.length, ...rows.map((r) => r[i]?.length ?? 0)),
);
const line = (cells: readonly string[]) =>
  `| ${cells.map((cell, i) => cell.padStart(widths[i] ?? 0)).join(' | ')} |`;
console.log(
  `\nKMS Decrypts per 1M requests, counted: ${REQUESTS_PER_SECOND} req/s for one ${CACHE_PERIOD_S} s cache period, ${PROVIDERS.length} provider keys per account, uniform at random over accounts, keys and environments`,
);
console.log(line(HEADER));
console.log(`|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`);
for (const row of rows) console.log(line(row));
