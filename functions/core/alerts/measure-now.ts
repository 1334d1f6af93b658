import type { AlertRule } from './alert-rule.ts';
import { forecastReadSpan } from './forecast.ts';
import {
  type AlertMoney,
  budgetReads,
  budgetStartMs,
  type Measurement,
  measureRule,
  type Span,
  windowSpan,
} from './measure-rule.ts';
import { measureForecast, measureSpikeRule } from './measure-trends.ts';
import type { ScopedUsageReader } from './scoped-usage.ts';
import { spikeReadSpan } from './spike.ts';

export interface AlertMeasureDeps {
  readonly usage: ScopedUsageReader;
}

/** What a measurement needs to know of the account. */
export interface MeasureContext extends AlertMoney {
  /** When the account's history begins (its creation): forecasts and spikes need some. */
  readonly historyStartMs: number;
}

/**
 * A rule's measurement now, and the span it covers: every type reads its scope through the
 * scoped usage reader (budget: hourly then daily items of its period; forecast: the daily items
 * of the month and the 7 days before today; spike: 169 hours; the others: the 2-hour window).
 */
export async function measureNow(
  deps: AlertMeasureDeps,
  rule: AlertRule,
  context: MeasureContext,
  nowMs: number,
): Promise<{ measurement: Measurement; span: Span }> {
  const read = (granularity: 'hour' | 'day', span: Span) =>
    deps.usage.read(rule.accountId, rule, granularity, span, nowMs);
  switch (rule.type) {
    case 'forecast': {
      const measurement = measureForecast(
        rule,
        await read('day', forecastReadSpan(nowMs)),
        context,
        nowMs,
        context.historyStartMs,
      );
      return { measurement, span: measurement.span ?? forecastReadSpan(nowMs) };
    }
    case 'spike': {
      const span = spikeReadSpan(nowMs);
      const measurement = measureSpikeRule(
        rule,
        await read('hour', span),
        context,
        nowMs,
        context.historyStartMs,
      );
      return { measurement, span: measurement.span ?? span };
    }
    case 'budget': {
      const startMs = budgetStartMs(rule, nowMs);
      const reads = budgetReads(startMs, nowMs);
      const [hourly, daily] = await Promise.all([
        reads.hourly ? read('hour', reads.hourly) : [],
        reads.daily ? read('day', reads.daily) : [],
      ]);
      return {
        measurement: measureRule(rule, [...hourly, ...daily], context),
        span: { fromMs: startMs, toMs: nowMs },
      };
    }
    default: {
      const span = windowSpan(nowMs);
      return {
        measurement: measureRule(rule, await read('hour', span), context),
        span: { fromMs: span.fromMs, toMs: nowMs },
      };
    }
  }
}
