import { Fragment, useState } from 'react';
import {
  codeSample,
  SAMPLE_LANGUAGES,
  SAMPLE_MODES,
  type SampleLanguage,
  type SampleMode,
  sampleInstallCommand,
} from '../lib/code-samples.ts';
import { type ProviderId, providerName } from '../lib/providers.ts';
import { CopyButton } from './CopyButton.tsx';

interface CodeSamplesProps {
  readonly provider: ProviderId;
  readonly baseUrl: string;
  readonly metrionKey: string;
}

const LANGUAGE_LABELS: Readonly<Record<SampleLanguage, string>> = {
  typescript: 'TypeScript',
  'ai-sdk': 'AI SDK',
  python: 'Python',
};

const MODE_LABELS: Readonly<Record<SampleMode, string>> = {
  stored: 'Stored key',
  'pass-through': 'Pass-through',
};

const MODE_HINTS: Readonly<Record<SampleMode, string>> = {
  stored: 'Your Metrion Key is the API key; Metrion sends your saved provider key upstream.',
  'pass-through':
    'Your own provider key goes upstream untouched (never stored); the x-metrion-token header names your account.',
};

interface ChoiceGroupProps<T extends string> {
  readonly legend: string;
  readonly name: string;
  readonly options: readonly T[];
  readonly labels: Readonly<Record<T, string>>;
  readonly value: T;
  readonly onChange: (value: T) => void;
}

function ChoiceGroup<T extends string>({
  legend,
  name,
  options,
  labels,
  value,
  onChange,
}: ChoiceGroupProps<T>) {
  return (
    <fieldset className="field fieldset">
      <legend>{legend}</legend>
      <div className="choices">
        {options.map((option) => (
          <label key={option} className="choice">
            <input
              type="radio"
              name={name}
              value={option}
              checked={option === value}
              onChange={() => onChange(option)}
            />
            <span>{labels[option]}</span>
          </label>
        ))}
      </div>
    </fieldset>
  );
}

/** Ready-to-paste snippets for one provider: TypeScript or Python, stored or pass-through mode. */
export function CodeSamples({ provider, baseUrl, metrionKey }: CodeSamplesProps) {
  const [language, setLanguage] = useState<SampleLanguage>('typescript');
  const [mode, setMode] = useState<SampleMode>('stored');
  const code = codeSample({ provider, language, mode, baseUrl, metrionKey });
  const install = sampleInstallCommand(provider, language);

  return (
    <div>
      <div className="sample-options">
        <ChoiceGroup
          legend="Language"
          name="sample-language"
          options={SAMPLE_LANGUAGES}
          labels={LANGUAGE_LABELS}
          value={language}
          onChange={setLanguage}
        />
        <ChoiceGroup
          legend="Mode"
          name="sample-mode"
          options={SAMPLE_MODES}
          labels={MODE_LABELS}
          value={mode}
          onChange={setMode}
        />
      </div>
      <p className="card__hint">{MODE_HINTS[mode]}</p>
      <p>
        Base URL for {providerName(provider)}:{' '}
        <code className="code-inline code-inline--url" data-base-url>
          {/* A narrow screen breaks the URL after a slash, never inside a word. */}
          {baseUrl.split(/(?<=\/)/).map((part, index) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: the parts of one fixed string.
            <Fragment key={index}>
              {part}
              <wbr />
            </Fragment>
          ))}
        </code>
      </p>
      <p>
        Install the SDK: <code className="code-inline">{install}</code>
      </p>
      <div className="code-block">
        <div className="code-block__bar">
          <span>
            {LANGUAGE_LABELS[language]} · {MODE_LABELS[mode]}
          </span>
          <CopyButton text={code} label="Copy code sample" small />
        </div>
        <pre>
          <code data-code-sample>{code}</code>
        </pre>
      </div>
    </div>
  );
}
