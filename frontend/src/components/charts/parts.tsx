import type { ReactNode } from 'react';
import { barWidth, changeDirection, formatChange } from '../../lib/format.ts';

/**
 * A % change vs the previous period of the same length; nothing without a baseline (a "new"
 * badge on every card of a young account says nothing).
 */
export function ChangeBadge({ changePct }: { readonly changePct: number | null }) {
  if (changePct === null) return null;
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
  /** Keyed to what the bar stands for (`colors.ts`), so it matches the charts' colours. */
  readonly color: string;
  /** The series the bar stands for (a model, a provider), as the charts' legends name it. */
  readonly series?: string;
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
        <li
          key={bar.key}
          className="bars__row"
          data-series={bar.series}
          data-color={bar.series === undefined ? undefined : bar.color}
        >
          <span className="bars__label" title={bar.series}>
            {bar.label}
          </span>
          <span className="bars__track">
            <span
              className="bars__fill"
              style={{ width: barWidth(bar.value, max), background: bar.color }}
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
