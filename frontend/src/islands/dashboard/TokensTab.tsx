import { useMemo } from 'react';
import type { TokensDto } from '#contracts/dashboard-api.ts';
import { StatCard } from '../../components/charts/parts.tsx';
import { StackedChart } from '../../components/charts/StackedChart.tsx';
import { type Column, DataTable } from '../../components/DataTable.tsx';
import { SeriesName } from '../../components/SeriesName.tsx';
import { bucketSeconds, tokenLayers } from '../../lib/chart-data.ts';
import { colorForName } from '../../lib/colors.ts';
import { formatCount, formatCountTick } from '../../lib/format.ts';
import { providerLabel } from '../../lib/providers.ts';

type ModelTokens = TokensDto['byModel'][number];

const count = (pick: (item: ModelTokens) => number) => (item: ModelTokens) =>
  formatCount(pick(item));

/** Every kind has its column, so Input + Output + Cache read + Cache write = Total on each row. */
const MODEL_COLUMNS: readonly Column<ModelTokens>[] = [
  {
    key: 'model',
    header: 'Model',
    cell: (item) => <SeriesName name={item.model} color={colorForName(item.model)} />,
  },
  { key: 'provider', header: 'Provider', cell: (item) => providerLabel(item.provider) },
  { key: 'input', header: 'Input', numeric: true, cell: count((item) => item.input) },
  { key: 'output', header: 'Output', numeric: true, cell: count((item) => item.output) },
  {
    key: 'cache-read',
    header: 'Cache read',
    numeric: true,
    cell: count((item) => item.cacheRead),
  },
  {
    key: 'cache-write',
    header: 'Cache write',
    numeric: true,
    cell: count((item) => item.cacheWrite),
  },
  { key: 'total', header: 'Total', numeric: true, cell: count((item) => item.total) },
];

/** Tokens: totals by kind, token usage over time and per model. */
export function TokensTab({ data }: { readonly data: TokensDto }) {
  const x = useMemo(() => bucketSeconds(data.range.buckets), [data]);
  const layers = useMemo(() => tokenLayers(data.series), [data]);
  const { totals } = data;
  return (
    <>
      <div className="dash-row dash-row--5">
        <StatCard
          title="Total tokens"
          value={formatCount(totals.total)}
          changePct={totals.changePct}
          testId="card-tokens-total"
        />
        <StatCard title="Input" value={formatCount(totals.input)} />
        <StatCard title="Output" value={formatCount(totals.output)} />
        <StatCard title="Cache read" value={formatCount(totals.cacheRead)} />
        <StatCard title="Cache write" value={formatCount(totals.cacheWrite)} />
      </div>
      <StatCard title="Token usage over time" wide>
        <StackedChart
          x={x}
          layers={layers}
          label="Token usage over time"
          formatValue={formatCountTick}
          counts
        />
      </StatCard>
      <StatCard title="By model" wide testId="tokens-by-model">
        <div className="table-scroll table-scroll--bare">
          <DataTable
            className="table table--compact"
            columns={MODEL_COLUMNS}
            rows={data.byModel}
            rowKey={(item) => `${item.provider}/${item.model}`}
          />
        </div>
      </StatCard>
    </>
  );
}
