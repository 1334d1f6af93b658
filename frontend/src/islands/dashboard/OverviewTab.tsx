import { useMemo } from 'react';
import type { OverviewDto } from '#contracts/dashboard-api.ts';
import { Bars, StatCard } from '../../components/charts/parts.tsx';
import { SparkCard } from '../../components/charts/SparkCard.tsx';
import { StackedChart } from '../../components/charts/StackedChart.tsx';
import { type ChartSeries, TimeChart } from '../../components/charts/TimeChart.tsx';
import { FxNote } from '../../components/FxNote.tsx';
import { StatusCode } from '../../components/StatusCode.tsx';
import { UnpricedNotice } from '../../components/UnpricedNotice.tsx';
import { useMoneyTicks } from '../../hooks/use-money-ticks.ts';
import {
  bucketSeconds,
  costLayers,
  largest,
  moneyPoints,
  tokenLayers,
} from '../../lib/chart-data.ts';
import {
  colorForName,
  METRIC_COLORS,
  providerColor,
  STATUS_COLORS,
  statusColor,
} from '../../lib/colors.ts';
import {
  formatCount,
  formatCountTick,
  formatEstimatedNote,
  formatLatency,
  formatMoneyDecimal,
  formatShare,
} from '../../lib/format.ts';
import { providerLabel } from '../../lib/providers.ts';

interface RowProps {
  readonly data: OverviewDto;
  /** Bucket start times in seconds, the x axis of every chart. */
  readonly x: number[];
}

/** Overview: requests, errors, tokens, cost, providers, requesters and latency at a glance. */
export function OverviewTab({ data }: { readonly data: OverviewDto }) {
  const x = useMemo(() => bucketSeconds(data.range.buckets), [data]);
  const estimatedNote = formatEstimatedNote(data.estimated);

  return (
    <>
      <FxNote fx={data.fx} unpriced={data.cost.unpricedRequests} />
      <UnpricedNotice cost={data.cost} range={data.range} />
      <RequestsRow data={data} x={x} />
      <UsageRow data={data} x={x} />
      <TrendsRow data={data} x={x} />
      {estimatedNote !== null && (
        <p className="estimated-note" data-testid="estimated-note">
          {estimatedNote}
        </p>
      )}
    </>
  );
}

/** Requests over time, requests by model, and errors by status. */
function RequestsRow({ data, x }: RowProps) {
  const requestSeries = useMemo<ChartSeries[]>(
    () => [
      { label: 'Successes', color: STATUS_COLORS.ok, values: data.requests.success },
      { label: 'Errors', color: STATUS_COLORS.error, values: data.requests.errors },
    ],
    [data],
  );
  const maxModel = largest(data.requestsByModel.map((item) => item.requests));
  const maxStatus = largest(data.errors.byStatus.map((item) => item.count));
  return (
    <div className="dash-row dash-row--3">
      <StatCard
        title="Requests"
        value={formatCount(data.requests.total)}
        changePct={data.requests.changePct}
        testId="card-requests"
      >
        <TimeChart
          x={x}
          series={requestSeries}
          sparkline
          counts
          height={60}
          label="Successes and errors over time"
        />
        <p className="legend-inline">
          <span className="dot dot--ok" /> successes <span className="dot dot--error" /> errors
        </p>
      </StatCard>
      <StatCard title="Requests by model" testId="card-requests-by-model">
        <Bars
          label="Requests by model"
          max={maxModel}
          bars={data.requestsByModel.map((item) => ({
            key: `${item.provider}/${item.model}`,
            label: item.model,
            value: item.requests,
            text: formatCount(item.requests),
            color: colorForName(item.model),
            series: item.model,
          }))}
        />
      </StatCard>
      <StatCard
        title="Errors"
        value={formatCount(data.errors.total)}
        changePct={data.errors.changePct}
        testId="card-errors"
      >
        <p className="dash-card__sub" data-error-rate>
          {formatShare(data.errors.rate)} of requests
        </p>
        <Bars
          label="Errors by status"
          max={maxStatus}
          bars={data.errors.byStatus.map((item) => ({
            key: String(item.status),
            label: <StatusCode status={item.status} />,
            value: item.count,
            text: formatCount(item.count),
            color: statusColor(item.status),
          }))}
        />
      </StatCard>
    </div>
  );
}

/** Tokens and cost by model over time, and the providers' shares of cost. */
function UsageRow({ data, x }: RowProps) {
  const currency = data.fx.currency;
  const money = useMoneyTicks(currency);
  const tokens = useMemo(() => tokenLayers(data.tokens), [data]);
  const costs = useMemo(() => costLayers(data.costByModel), [data]);
  return (
    <div className="dash-row dash-row--3">
      <StatCard title="Token usage" value={formatCount(data.tokens.total)} testId="card-tokens">
        <StackedChart
          x={x}
          layers={tokens}
          height={180}
          label="Token usage over time"
          formatValue={formatCountTick}
          counts
        />
      </StatCard>
      <StatCard title="Cost by model" testId="card-cost-by-model">
        <StackedChart
          x={x}
          layers={costs}
          height={180}
          label="Cost by model over time"
          formatValue={money}
        />
      </StatCard>
      <StatCard title="Top providers" testId="card-top-providers">
        <Bars
          label="Cost share by provider"
          max={1}
          bars={data.topProviders.map((item) => ({
            key: item.provider,
            label: providerLabel(item.provider),
            value: item.share,
            text: `${formatMoneyDecimal(item.cost, currency)} · ${formatShare(item.share)}`,
            color: providerColor(item.provider),
            series: item.provider,
          }))}
        />
      </StatCard>
    </div>
  );
}

/** Cost, unique requesters and average latency, each as a sparkline card. */
function TrendsRow({ data, x }: RowProps) {
  const currency = data.fx.currency;
  const costPoints = useMemo(() => moneyPoints(data.cost.series), [data]);
  return (
    <div className="dash-row dash-row--3">
      <SparkCard
        title="Cost"
        value={formatMoneyDecimal(data.cost.total, currency)}
        changePct={data.cost.changePct}
        testId="card-cost"
        x={x}
        label="Cost over time"
        color={METRIC_COLORS.cost}
        values={costPoints}
        fill
      />
      <SparkCard
        title="Unique requesters"
        value={formatCount(data.uniqueRequesters.total)}
        changePct={data.uniqueRequesters.changePct}
        testId="card-requesters"
        x={x}
        label="Unique requesters over time"
        color={METRIC_COLORS.requesters}
        values={data.uniqueRequesters.series}
      />
      <SparkCard
        title="Average latency"
        value={formatLatency(data.avgLatencyMs.value)}
        changePct={data.avgLatencyMs.changePct}
        testId="card-latency"
        x={x}
        label="Average latency over time"
        color={METRIC_COLORS.latency}
        values={data.avgLatencyMs.series}
      />
    </div>
  );
}
