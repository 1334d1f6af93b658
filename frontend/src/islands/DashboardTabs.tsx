import { type ComponentProps, useCallback, useEffect, useMemo, useState } from 'react';
import type {
  CostsDto,
  ErrorsDto,
  FxDto,
  LatencyDto,
  OverviewDto,
  TokensDto,
} from '#contracts/dashboard-api.ts';
import { Bars, StatCard } from '../components/charts/parts.tsx';
import { type ChartSeries, TimeChart } from '../components/charts/TimeChart.tsx';
import { FilterBar } from '../components/FilterBar.tsx';
import { FxNote } from '../components/FxNote.tsx';
import { LoadFailed, Loading } from '../components/LoadFailed.tsx';
import { api, errorMessage } from '../lib/api-client.ts';
import {
  bucketSeconds,
  largest,
  moneyPoints,
  seriesColor,
  stackSeries,
} from '../lib/chart-data.ts';
import {
  DEFAULT_FILTERS,
  filterQuery,
  readFilters,
  type SharedFilters,
  storeFilters,
} from '../lib/filters.ts';
import {
  formatCount,
  formatDateTime,
  formatLatency,
  formatMoneyDecimal,
  formatMoneyTick,
  formatShare,
  statusClass,
} from '../lib/format.ts';

const TABS = [
  { id: 'overview', label: 'Overview' },
  { id: 'costs', label: 'Costs' },
  { id: 'tokens', label: 'Tokens' },
  { id: 'latency', label: 'Latency' },
  { id: 'errors', label: 'Errors' },
] as const;
type TabId = (typeof TABS)[number]['id'];

type TabData =
  | { readonly tab: 'overview'; readonly value: OverviewDto }
  | { readonly tab: 'costs'; readonly value: CostsDto }
  | { readonly tab: 'tokens'; readonly value: TokensDto }
  | { readonly tab: 'latency'; readonly value: LatencyDto }
  | { readonly tab: 'errors'; readonly value: ErrorsDto };

type TabState =
  | { readonly state: 'loading' }
  | { readonly state: 'error'; readonly message: string }
  | { readonly state: 'ready'; readonly data: TabData };

async function loadTab(tab: TabId, filters: SharedFilters): Promise<TabData> {
  const query = filterQuery(filters);
  switch (tab) {
    case 'overview':
      return { tab, value: await api.getDashboardOverview(query) };
    case 'costs':
      return { tab, value: await api.getDashboardCosts(query) };
    case 'tokens':
      return { tab, value: await api.getDashboardTokens(query) };
    case 'latency':
      return { tab, value: await api.getDashboardLatency(query) };
    case 'errors':
      return { tab, value: await api.getDashboardErrors(query) };
  }
}

const GREEN = '#12b76a';
const RED = '#d92d20';

/** The Dashboard: five tabs over the shared range and filters (kept in the query string). */
export default function DashboardTabs() {
  const [filters, setFilters] = useState<SharedFilters | null>(null);
  const [tab, setTab] = useState<TabId>('overview');
  const [data, setData] = useState<TabState>({ state: 'loading' });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    setFilters(readFilters(new URLSearchParams(location.search)));
    const fromHash = location.hash.slice(1);
    const known = TABS.find((item) => item.id === fromHash);
    if (known) setTab(known.id);
  }, []);

  // biome-ignore lint/correctness/useExhaustiveDependencies: attempt re-runs the read on retry.
  useEffect(() => {
    if (!filters) return;
    if (filters.range === 'custom' && (filters.from === '' || filters.to === '')) return;
    let current = true;
    setData({ state: 'loading' });
    loadTab(tab, filters).then(
      (loaded) => current && setData({ state: 'ready', data: loaded }),
      (error: unknown) => current && setData({ state: 'error', message: errorMessage(error) }),
    );
    return () => {
      current = false;
    };
  }, [tab, filters, attempt]);

  const changeFilters = useCallback((next: SharedFilters) => {
    storeFilters(next);
    setFilters(next);
  }, []);

  const chooseTab = (id: TabId) => {
    history.replaceState(null, '', `${location.pathname}${location.search}#${id}`);
    setTab(id);
  };

  return (
    <div className="dashboard">
      <FilterBar filters={filters ?? DEFAULT_FILTERS} onChange={changeFilters} />
      <div className="tabs dashboard__tabs" role="tablist" aria-label="Dashboard">
        {TABS.map((item) => (
          <button
            key={item.id}
            type="button"
            role="tab"
            id={`tab-${item.id}`}
            aria-selected={tab === item.id}
            aria-controls="dashboard-panel"
            onClick={() => chooseTab(item.id)}
          >
            {item.label}
          </button>
        ))}
      </div>
      <div id="dashboard-panel" role="tabpanel" aria-labelledby={`tab-${tab}`}>
        {data.state === 'loading' && <Loading what="usage" />}
        {data.state === 'error' && (
          <LoadFailed message={data.message} onRetry={() => setAttempt((n) => n + 1)} />
        )}
        {data.state === 'ready' && data.data.tab === tab && <TabPanel data={data.data} />}
      </div>
    </div>
  );
}

function TabPanel({ data }: { readonly data: TabData }) {
  switch (data.tab) {
    case 'overview':
      return <Overview data={data.value} />;
    case 'costs':
      return <Costs data={data.value} />;
    case 'tokens':
      return <Tokens data={data.value} />;
    case 'latency':
      return <Latency data={data.value} />;
    case 'errors':
      return <Errors data={data.value} />;
  }
}

function Empty() {
  return (
    <p className="empty dash-empty" data-empty>
      No requests in this range and filter. Send traffic through the proxy (see Integrate) or pick a
      longer range.
    </p>
  );
}

const tokenLabel = (value: number) => formatCount(value);

interface Layer {
  readonly label: string;
  readonly values: readonly number[];
}

/** The four token kinds as stacked layers (Overview and Tokens). */
function tokenLayers(series: TokensDto['series']): Layer[] {
  return [
    { label: 'Input', values: series.input },
    { label: 'Output', values: series.output },
    { label: 'Cache read', values: series.cacheRead },
    { label: 'Cache write', values: series.cacheWrite },
  ];
}

/** Cost per model as stacked layers (Overview and Costs). */
function costLayers(byModel: CostsDto['byModel']): Layer[] {
  return byModel.map((item) => ({ label: item.model, values: moneyPoints(item.series) }));
}

/** Money axis ticks in the tab's currency. */
function useMoneyTicks(currency: FxDto['currency']) {
  return useCallback(
    (value: number, step: number) => formatMoneyTick(value, step, currency),
    [currency],
  );
}

/** A time chart of stacked layers: each series is drawn as its own filled band. */
function StackedChart({
  layers,
  ...chart
}: { readonly layers: readonly Layer[] } & Omit<ComponentProps<typeof TimeChart>, 'series'>) {
  const series = useMemo(() => {
    const stacked = stackSeries(layers.map((layer) => layer.values));
    // Drawn from the top layer down so each band stays visible.
    return layers
      .map((layer, index) => ({
        label: layer.label,
        color: seriesColor(index),
        values: stacked[index] ?? [],
        fill: true,
      }))
      .reverse();
  }, [layers]);
  return <TimeChart series={series} {...chart} />;
}

/** A row-3 Overview card: headline figure and badge over a one-series sparkline. */
function SparkCard({
  title,
  value,
  changePct,
  testId,
  x,
  label,
  color,
  values,
  fill = false,
}: Pick<ComponentProps<typeof StatCard>, 'title' | 'value' | 'changePct' | 'testId'> & {
  readonly x: readonly number[];
  /** The chart's accessible label. */
  readonly label: string;
  readonly color: string;
  readonly values: ChartSeries['values'];
  readonly fill?: boolean;
}) {
  const series = useMemo<ChartSeries[]>(
    () => [{ label: title, color, values, fill }],
    [title, color, values, fill],
  );
  return (
    <StatCard title={title} value={value} changePct={changePct} testId={testId}>
      <TimeChart x={x} series={series} sparkline height={50} label={label} />
    </StatCard>
  );
}

function Overview({ data }: { readonly data: OverviewDto }) {
  const currency = data.fx.currency;
  const money = useMoneyTicks(currency);
  const x = useMemo(() => bucketSeconds(data.range.buckets), [data]);
  const requestSeries = useMemo<ChartSeries[]>(
    () => [
      { label: 'Successes', color: GREEN, values: data.requests.success },
      { label: 'Errors', color: RED, values: data.requests.errors },
    ],
    [data],
  );
  const tokens = useMemo(() => tokenLayers(data.tokens), [data]);
  const costs = useMemo(() => costLayers(data.costByModel), [data]);
  const costPoints = useMemo(() => moneyPoints(data.cost.series), [data]);
  const maxModel = largest(data.requestsByModel.map((item) => item.requests));
  const maxStatus = largest(data.errors.byStatus.map((item) => item.count));

  return (
    <>
      <FxNote fx={data.fx} unpriced={data.cost.unpricedRequests} />
      {data.requests.total === 0 && <Empty />}
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
            bars={data.requestsByModel.map((item, index) => ({
              key: `${item.provider}/${item.model}`,
              label: item.model,
              value: item.requests,
              text: formatCount(item.requests),
              color: seriesColor(index),
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
              label: (
                <span className={`status-code status-code--${statusClass(item.status)}`}>
                  {item.status}
                </span>
              ),
              value: item.count,
              text: formatCount(item.count),
              color: item.status >= 500 ? RED : '#f79009',
            }))}
          />
        </StatCard>
      </div>
      <div className="dash-row dash-row--3">
        <StatCard title="Token usage" value={formatCount(data.tokens.total)} testId="card-tokens">
          <StackedChart
            x={x}
            layers={tokens}
            height={180}
            label="Token usage over time"
            formatValue={tokenLabel}
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
            bars={data.topProviders.map((item, index) => ({
              key: item.provider,
              label: item.provider,
              value: item.share,
              text: `${formatMoneyDecimal(item.cost, currency)} · ${formatShare(item.share)}`,
              color: seriesColor(index),
            }))}
          />
        </StatCard>
      </div>
      <div className="dash-row dash-row--3">
        <SparkCard
          title="Cost"
          value={formatMoneyDecimal(data.cost.total, currency)}
          changePct={data.cost.changePct}
          testId="card-cost"
          x={x}
          label="Cost over time"
          color={seriesColor(0)}
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
          color={seriesColor(1)}
          values={data.uniqueRequesters.series}
        />
        <SparkCard
          title="Average latency"
          value={formatLatency(data.avgLatencyMs.value)}
          changePct={data.avgLatencyMs.changePct}
          testId="card-latency"
          x={x}
          label="Average latency over time"
          color={seriesColor(2)}
          values={data.avgLatencyMs.series}
        />
      </div>
    </>
  );
}

function Costs({ data }: { readonly data: CostsDto }) {
  const currency = data.fx.currency;
  const money = useMoneyTicks(currency);
  const x = useMemo(() => bucketSeconds(data.range.buckets), [data]);
  const layers = useMemo(() => costLayers(data.byModel), [data]);
  return (
    <>
      <FxNote fx={data.fx} unpriced={data.cost.unpricedRequests} />
      <div className="dash-row dash-row--wide">
        <StatCard
          title="Cost by model"
          value={formatMoneyDecimal(data.cost.total, currency)}
          changePct={data.cost.changePct}
          testId="card-cost-total"
        >
          <StackedChart x={x} layers={layers} label="Cost by model over time" formatValue={money} />
        </StatCard>
        <StatCard title="By provider">
          <Bars
            label="Cost share by provider"
            max={1}
            bars={data.byProvider.map((item, index) => ({
              key: item.provider,
              label: item.provider,
              value: item.share,
              text: `${formatMoneyDecimal(item.total, currency)} · ${formatShare(item.share)}`,
              color: seriesColor(index),
            }))}
          />
        </StatCard>
      </div>
      <StatCard title="By requester" wide>
        {data.byRequester.length === 0 ? (
          <Empty />
        ) : (
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Requester</th>
                <th scope="col" className="num">
                  Requests
                </th>
                <th scope="col" className="num">
                  Cost
                </th>
              </tr>
            </thead>
            <tbody>
              {data.byRequester.map((item) => (
                <tr key={item.requester ?? '-'}>
                  <td>{item.requester ?? <span className="muted">No requester</span>}</td>
                  <td className="num">{formatCount(item.requests)}</td>
                  <td className="num">{formatMoneyDecimal(item.total, currency)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </StatCard>
    </>
  );
}

function Tokens({ data }: { readonly data: TokensDto }) {
  const x = useMemo(() => bucketSeconds(data.range.buckets), [data]);
  const layers = useMemo(() => tokenLayers(data.series), [data]);
  const { totals } = data;
  return (
    <>
      {totals.total === 0 && <Empty />}
      <div className="dash-row dash-row--4">
        <StatCard
          title="Total tokens"
          value={formatCount(totals.total)}
          changePct={totals.changePct}
          testId="card-tokens-total"
        />
        <StatCard title="Input" value={formatCount(totals.input)} />
        <StatCard title="Output" value={formatCount(totals.output)} />
        <StatCard
          title="Cache read / write"
          value={`${formatCount(totals.cacheRead)} / ${formatCount(totals.cacheWrite)}`}
        />
      </div>
      <StatCard title="Token usage over time" wide>
        <StackedChart
          x={x}
          layers={layers}
          label="Token usage over time"
          formatValue={tokenLabel}
        />
      </StatCard>
      <StatCard title="By model" wide>
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Model</th>
              <th scope="col">Provider</th>
              <th scope="col" className="num">
                Input
              </th>
              <th scope="col" className="num">
                Output
              </th>
              <th scope="col" className="num">
                Total
              </th>
            </tr>
          </thead>
          <tbody>
            {data.byModel.map((item) => (
              <tr key={`${item.provider}/${item.model}`}>
                <td>{item.model}</td>
                <td>{item.provider}</td>
                <td className="num">{formatCount(item.input)}</td>
                <td className="num">{formatCount(item.output)}</td>
                <td className="num">{formatCount(item.total)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </StatCard>
    </>
  );
}

function Latency({ data }: { readonly data: LatencyDto }) {
  const x = useMemo(() => bucketSeconds(data.range.buckets), [data]);
  const series = useMemo<ChartSeries[]>(
    () => [
      { label: 'p50', color: seriesColor(1), values: data.series.p50 },
      { label: 'p95', color: seriesColor(2), values: data.series.p95 },
      { label: 'p99', color: RED, values: data.series.p99 },
    ],
    [data],
  );
  const { overall } = data;
  return (
    <>
      {overall.avg === null && <Empty />}
      <div className="dash-row dash-row--4">
        <StatCard title="p50" value={formatLatency(overall.p50)} testId="card-p50" />
        <StatCard title="p95" value={formatLatency(overall.p95)} testId="card-p95" />
        <StatCard title="p99" value={formatLatency(overall.p99)} testId="card-p99" />
        <StatCard title="Average" value={formatLatency(overall.avg)} />
      </div>
      <StatCard title="Latency percentiles over time" wide>
        <TimeChart
          x={x}
          series={series}
          label="p50, p95 and p99 latency over time"
          formatValue={formatLatency}
        />
        <p className="dash-card__sub">Percentiles are within about 9% of the exact values.</p>
      </StatCard>
    </>
  );
}

function Errors({ data }: { readonly data: ErrorsDto }) {
  const x = useMemo(() => bucketSeconds(data.range.buckets), [data]);
  const layers = useMemo(
    () => data.byStatus.map((item) => ({ label: String(item.status), values: item.series })),
    [data],
  );
  return (
    <>
      <div className="dash-row dash-row--wide">
        <StatCard
          title="Errors by status code"
          value={formatCount(data.errors.total)}
          changePct={data.errors.changePct}
          testId="card-errors-total"
        >
          <p className="dash-card__sub">{formatShare(data.errors.rate)} of requests</p>
          <StackedChart
            x={x}
            layers={layers}
            label="Errors by status code over time"
            formatValue={tokenLabel}
          />
        </StatCard>
        <StatCard title="By status">
          <Bars
            label="Errors by status"
            max={largest(data.byStatus.map((item) => item.total))}
            bars={data.byStatus.map((item, index) => ({
              key: String(item.status),
              label: (
                <span className={`status-code status-code--${statusClass(item.status)}`}>
                  {item.status}
                </span>
              ),
              value: item.total,
              text: formatCount(item.total),
              color: seriesColor(index),
            }))}
          />
        </StatCard>
      </div>
      <StatCard title="Most recent errors" wide testId="recent-errors">
        {data.recent.length === 0 ? (
          <p className="empty">No errors in this range.</p>
        ) : (
          <table className="table table--compact">
            <thead>
              <tr>
                <th scope="col">Status</th>
                <th scope="col">Time</th>
                <th scope="col">Model</th>
                <th scope="col">Provider</th>
                <th scope="col">Requester</th>
                <th scope="col">Message</th>
                <th scope="col" className="num">
                  Latency
                </th>
              </tr>
            </thead>
            <tbody>
              {data.recent.map((item) => (
                <tr key={item.requestId}>
                  <td>
                    <span className={`status-code status-code--${statusClass(item.status)}`}>
                      {item.status}
                    </span>
                  </td>
                  <td>
                    <time dateTime={item.at}>{formatDateTime(item.at)}</time>
                  </td>
                  <td>{item.model}</td>
                  <td>{item.provider}</td>
                  <td>{item.requester ?? '—'}</td>
                  <td className="error-message">
                    {item.errorSource === 'metrion' ? 'Metrion: ' : ''}
                    {item.errorMessage ?? '—'}
                  </td>
                  <td className="num">{formatLatency(item.latencyMs)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </StatCard>
    </>
  );
}
