import type { ReactNode } from 'react';
import { barWidth, changeDirection, formatChange } from '../../lib/format.ts';

/** A % change vs the previous period of the same length. */
export function ChangeBadge({ changePct }: { readonly changePct: number | null }) {
  return (
    <span
      className={`change change--${changeDirection(changePct)}`}
      title="Change vs the previous period of the same length"
    >
      {formatChange(changePct)}
    </span>
  );
}

export interface Bar {
  readonly key: string;
  readonly label: ReactNode;
  readonly value: number;
  /** Shown at the end of the bar. */
  readonly text: string;
  readonly color?: string;
}

/** Horizontal bars scaled to `max` (the largest value unless given, e.g. 1 for shares). */
export function Bars({
  bars,
  max,
  label,
}: {
  readonly bars: readonly Bar[];
  readonly max: number;
  readonly label: string;
}) {
  return (
    <ul className="bars" aria-label={label}>
      {bars.map((bar) => (
        <li key={bar.key} className="bars__row">
          <span className="bars__label">{bar.label}</span>
          <span className="bars__track">
            <span
              className="bars__fill"
              style={{
                width: barWidth(bar.value, max),
                ...(bar.color ? { background: bar.color } : {}),
              }}
            />
          </span>
          <span className="bars__value">{bar.text}</span>
        </li>
      ))}
    </ul>
  );
}

/** A dashboard card: title, headline figure and badge, then its chart. */
export function StatCard({
  title,
  value,
  changePct,
  children,
  wide = false,
  testId,
}: {
  readonly title: string;
  readonly value?: ReactNode;
  readonly changePct?: number | null;
  readonly children?: ReactNode;
  readonly wide?: boolean;
  readonly testId?: string;
}) {
  return (
    <section
      className={wide ? 'dash-card dash-card--wide' : 'dash-card'}
      data-testid={testId}
      aria-label={title}
    >
      <h2 className="dash-card__title">{title}</h2>
      {value !== undefined && (
        <p className="dash-card__value">
          <span data-value>{value}</span>
          {changePct !== undefined && <ChangeBadge changePct={changePct} />}
        </p>
      )}
      {children}
    </section>
  );
}
