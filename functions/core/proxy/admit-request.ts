import { pageReference } from '../accounts/dashboard-pages.ts';
import { metrionKeyDigest } from '../accounts/metrion-key.ts';
import { AuthenticationError, MissingProviderKeyError, SecretIntegrityError } from '../errors.ts';
import {
  admissionRequest,
  type LimitOptions,
  limitReachedError,
  type PlanLimitTable,
} from '../limits/request-limits.ts';
import type { Clock } from '../ports/clock.ts';
import type { ProxyAdmission } from '../ports/proxy-admission.ts';
import { PROVIDERS, type ProviderId } from '../providers/provider-registry.ts';
import { providerKeyContext, type SecretVault } from '../vault/secret-vault.ts';
import { type Authentication, presentedCredentials } from './authenticate.ts';

export interface AdmitRequestDeps {
  readonly admission: ProxyAdmission;
  readonly vault: SecretVault;
  readonly pepper: Uint8Array;
  readonly clock: Clock;
  /** @default PLAN_LIMITS */
  readonly planLimits?: PlanLimitTable;
}

/**
 * Authentication, plan and both request limits in one call to the admission store (one
 * DynamoDB round trip), before any decryption or upstream call. No cache of valid keys: a
 * regenerated key fails on the very next request. A refused request is tallied on its window,
 * never recorded as usage, and never reaches the provider.
 * @throws AuthenticationError for missing, malformed or unknown credentials.
 * @throws LimitReachedError when the key's minute or the account's month is full.
 */
export async function admitRequest(
  deps: AdmitRequestDeps,
  headers: Readonly<Record<string, string>>,
  provider: ProviderId,
  options: LimitOptions = {},
): Promise<Authentication> {
  const presented = presentedCredentials(headers);
  const keyDigest = metrionKeyDigest(presented.metrionKey, deps.pepper);
  const nowMs = deps.clock.nowMs();
  const admission = await deps.admission.admit(
    admissionRequest({ keyDigest, provider }, nowMs, options, deps.planLimits),
  );
  if (admission.outcome === 'unknown-key') {
    const where = presented.mode === 'stored' ? 'The API key' : 'The x-metrion-token header';
    throw new AuthenticationError(
      `${where} is not a valid Metrion Key (it may have been regenerated). Copy the current key from ${pageReference('metrionKey')}.`,
    );
  }
  if (admission.outcome === 'refused') {
    throw limitReachedError(admission, nowMs, deps.planLimits);
  }
  const { account, providerKey } = admission.caller;
  const caller = { account, mode: presented.mode, keyDigest };
  const { providerCredential } = presented;
  if (providerCredential !== undefined) {
    return { caller, upstreamKey: async () => providerCredential };
  }
  return {
    caller,
    async upstreamKey() {
      const { displayName } = PROVIDERS[provider];
      if (providerKey === undefined) {
        throw new MissingProviderKeyError(
          `No ${displayName} key is saved in Metrion for this account. Add your ${displayName} key on ${pageReference('integrate')} and keep sending your Metrion Key as the API key; or use pass-through mode: your own ${displayName} key as the API key and your Metrion Key in the x-metrion-token header.`,
        );
      }
      try {
        return await deps.vault.open(
          providerKey.sealed,
          providerKeyContext(account.accountId, provider),
        );
      } catch (error) {
        if (!(error instanceof SecretIntegrityError)) throw error;
        throw new SecretIntegrityError(
          `The ${displayName} key saved in Metrion could not be decrypted. Save it again on ${pageReference('integrate')}.`,
        );
      }
    },
  };
}
