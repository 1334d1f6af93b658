import { useId, useState } from 'react';
import {
  TAG_SAMPLE_KINDS,
  type TagSampleInput,
  type TagSampleKind,
  tagSample,
} from '../lib/tag-samples.ts';
import { CopyButton } from './CopyButton.tsx';

const KIND_LABELS: Readonly<Record<TagSampleKind, string>> = {
  'openai-request': 'openai · per request',
  'openai-default': 'openai · every request',
  anthropic: '@anthropic-ai/sdk',
  'ai-sdk': 'AI SDK',
  curl: 'curl',
};

/** How to tag requests and name their requester, with a snippet per SDK. */
export function TagSamples(input: TagSampleInput) {
  const [kind, setKind] = useState<TagSampleKind>('openai-request');
  const name = useId();
  const code = tagSample(kind, input);
  return (
    <div>
      <p>
        Add <code className="code-inline">x-metrion-tag-&lt;key&gt;: &lt;value&gt;</code> headers to
        see what each feature, customer or agent run costs (Dashboard › By tag, Logs, CSV). Up to 5
        tags per request; a key is 1 to 32 of <code className="code-inline">a-z 0-9 _ -</code>, a
        value up to 64 printable characters. Metrion never sends them to the provider.
      </p>
      <p className="card__hint">
        The requester is <code className="code-inline">x-metrion-user</code>, or else the user id
        your SDK already sends: OpenAI <code className="code-inline">user</code> /{' '}
        <code className="code-inline">safety_identifier</code>, Anthropic{' '}
        <code className="code-inline">metadata.user_id</code>.
      </p>
      <fieldset className="field fieldset">
        <legend>SDK</legend>
        <div className="choices">
          {TAG_SAMPLE_KINDS.map((option) => (
            <label key={option} className="choice">
              <input
                type="radio"
                name={name}
                value={option}
                checked={option === kind}
                onChange={() => setKind(option)}
              />
              <span>{KIND_LABELS[option]}</span>
            </label>
          ))}
        </div>
      </fieldset>
      <div className="code-block">
        <div className="code-block__bar">
          <span>{KIND_LABELS[kind]} · tags</span>
          <CopyButton text={code} label="Copy tag sample" small />
        </div>
        <pre>
          <code data-tag-sample={kind}>{code}</code>
        </pre>
      </div>
    </div>
  );
}
