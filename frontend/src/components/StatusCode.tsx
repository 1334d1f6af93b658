import { statusClass } from '../lib/format.ts';

/** An HTTP status, coloured by class (green 2xx, orange 4xx, red 5xx). */
export function StatusCode({ status }: { readonly status: number }) {
  return <span className={`status-code status-code--${statusClass(status)}`}>{status}</span>;
}
