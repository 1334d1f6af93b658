import { useState } from 'react';
import { CodeSamples } from '../components/CodeSamples.tsx';
import { FirstRequestStatus } from '../components/FirstRequestStatus.tsx';
import { LoadFailed, Loading } from '../components/LoadFailed.tsx';
import { ProviderKeyForm } from '../components/ProviderKeyForm.tsx';
import { SecretValue } from '../components/SecretValue.tsx';
import { TagSamples } from '../components/TagSamples.tsx';
import { useReadOnMount } from '../hooks/use-read-on-mount.ts';
import { api } from '../lib/api-client.ts';
import { type ProviderId, providerName, proxyBaseUrl } from '../lib/providers.ts';

async function loadIntegration() {
  // The first /api/me after sign-up creates the account (and its Metrion Key).
  const account = await api.getMe();
  const [config, key, providers] = await Promise.all([
    api.getConfig(),
    api.getMetrionKey(),
    api.listProviderKeys(),
  ]);
  return {
    account,
    proxyBasePath: config.proxyBasePath,
    metrionKey: key.metrionKey,
    saved: new Set<ProviderId>(providers.providers.map((entry) => entry.provider)),
  };
}

/**
 * The first page after sign-up: the Metrion Key, a provider key, a ready-to-paste sample for
 * that provider, and a live confirmation once the first request went through the proxy.
 */
export default function IntegratePage() {
  const { resource, reload, setValue } = useReadOnMount(loadIntegration);
  const [chosen, setChosen] = useState<ProviderId>();

  if (resource.state === 'loading') return <Loading what="your integration" />;
  if (resource.state === 'error') return <LoadFailed message={resource.message} onRetry={reload} />;

  const integration = resource.value;
  const provider: ProviderId = chosen ?? [...integration.saved][0] ?? 'openai';

  const saveKey = async (target: ProviderId, key: string) => {
    await api.putProviderKey(target, { key });
    setValue({ ...integration, saved: new Set([...integration.saved, target]) });
  };

  return (
    <>
      <section className="card card--highlight" aria-labelledby="key-heading">
        <div className="card__header">
          <h2 id="key-heading">1. Your Metrion Key</h2>
          <a className="card__hint" href="/settings/token">
            Manage key
          </a>
        </div>
        <p className="card__hint">
          Use it as the API key in your SDK. Anyone with this key can send requests billed to your
          provider keys, so keep it secret.
        </p>
        <SecretValue value={integration.metrionKey} name="Metrion Key" id="metrion-key" />
      </section>

      <section className="card" aria-labelledby="provider-heading">
        <h2 id="provider-heading">2. Add a provider key</h2>
        <p className="card__hint">
          Stored mode needs your provider key once: Metrion encrypts it and sends it upstream for
          you. Skip this if you only use pass-through mode.
        </p>
        <ProviderKeyForm
          provider={provider}
          onProviderChange={setChosen}
          saved={integration.saved}
          onSave={saveKey}
        />
      </section>

      <section className="card" aria-labelledby="code-heading">
        <h2 id="code-heading">3. Send a request through Metrion</h2>
        {integration.saved.has(provider) ? (
          <CodeSamples
            provider={provider}
            baseUrl={proxyBaseUrl(location.origin, integration.proxyBasePath, provider)}
            metrionKey={integration.metrionKey}
          />
        ) : (
          <p className="empty">
            Save your {providerName(provider)} key above to get ready-to-paste code for TypeScript
            and Python.
          </p>
        )}
      </section>

      <section className="card" aria-labelledby="status-heading">
        <h2 id="status-heading">4. Confirm it works</h2>
        <FirstRequestStatus />
      </section>

      <section className="card" aria-labelledby="tags-heading">
        <h2 id="tags-heading">5. Attribute cost with tags</h2>
        <TagSamples
          openaiBaseUrl={proxyBaseUrl(location.origin, integration.proxyBasePath, 'openai')}
          anthropicBaseUrl={proxyBaseUrl(location.origin, integration.proxyBasePath, 'anthropic')}
          metrionKey={integration.metrionKey}
        />
      </section>
    </>
  );
}
