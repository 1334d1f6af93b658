import { Notice } from './Notice.tsx';

interface LoadFailedProps {
  readonly message: string;
  readonly onRetry: () => void;
}

/** A read failed: say why and offer to try again. */
export function LoadFailed({ message, onRetry }: LoadFailedProps) {
  return (
    <Notice kind="error">
      <p>{message}</p>
      <button type="button" className="button button--secondary button--small" onClick={onRetry}>
        Try again
      </button>
    </Notice>
  );
}

/** Placeholder while a read is in flight. */
export function Loading({ what }: { readonly what: string }) {
  return (
    <p className="loading" role="status">
      Loading {what}…
    </p>
  );
}
