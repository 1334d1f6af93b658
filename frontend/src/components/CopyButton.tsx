import { useEffect, useState } from 'react';

interface CopyButtonProps {
  /** The text put on the clipboard. */
  readonly text: string;
  /** Accessible name, e.g. "Copy Metrion Key". @default "Copy" */
  readonly label?: string;
  readonly small?: boolean;
}

async function writeClipboard(text: string): Promise<void> {
  if (navigator.clipboard?.writeText) {
    await navigator.clipboard.writeText(text);
    return;
  }
  // Outside a secure context there is no async clipboard API: copy from a hidden selection.
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.opacity = '0';
  document.body.append(area);
  area.select();
  const copied = document.execCommand('copy');
  area.remove();
  if (!copied) throw new Error('copy failed');
}

/** A button that copies `text` and says so for two seconds (also to screen readers). */
export function CopyButton({ text, label = 'Copy', small = false }: CopyButtonProps) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');

  useEffect(() => {
    if (state === 'idle') return;
    const timer = setTimeout(() => setState('idle'), 2000);
    return () => clearTimeout(timer);
  }, [state]);

  const copy = () => {
    writeClipboard(text).then(
      () => setState('copied'),
      () => setState('failed'),
    );
  };

  const visible = state === 'copied' ? 'Copied' : state === 'failed' ? 'Copy failed' : 'Copy';
  return (
    <>
      <button
        type="button"
        className={`button button--secondary${small ? ' button--small' : ''}`}
        onClick={copy}
        aria-label={label}
      >
        {visible}
      </button>
      <span className="visually-hidden" aria-live="polite">
        {state === 'copied'
          ? 'Copied to the clipboard.'
          : state === 'failed'
            ? 'Could not copy. Select the text and copy it yourself.'
            : ''}
      </span>
    </>
  );
}
