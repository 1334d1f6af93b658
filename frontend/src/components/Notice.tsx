import type { ReactNode } from 'react';

interface NoticeProps {
  readonly kind: 'error' | 'success' | 'info' | 'warning';
  readonly children: ReactNode;
}

/**
 * A message box. Errors use `role="alert"` (read out at once); the others `role="status"`
 * (read out politely).
 */
export function Notice({ kind, children }: NoticeProps) {
  return (
    <div className={`notice notice--${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
      {children}
    </div>
  );
}
