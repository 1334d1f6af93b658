import { useMemo } from 'react';
import type { TokensDto } from '#contracts/dashboard-api.ts';
import { StatCard } from '../../components/charts/parts.tsx';
import { StackedChart } from '../../components/charts/StackedChart.tsx';
import { type Column, DataTable } from '../../components/DataTable.tsx';
import { EmptyRange } from '../../components/EmptyRange.tsx';
import { bucketSeconds, tokenLayers } from '../../lib/chart-data.ts';
import { formatCount, formatCountTick } from '../../lib/format.ts';

type ModelTokens = TokensDto['byModel'][number];

const MODEL_COLUMNS: readonly Column<ModelTokens>[] = [
  { key: 'model', header: 'Model', cell: (item) => item.model },
  { key: 'provider', header: 'Provider', cell: (item) => item.provider },
  { key: 'input', header: 'Input', numeric: true, cell: (item) => formatCount(item.input) },
  { key: 'output', header: 'Output', numeric: true, cell: (item) => formatCount(item.output) },
  { key: 'total', header: 'Total', numeric: true, cell: (item) => formatCount(item.total) },
];

/** Tokens: totals by kind, token usage over time and per model. */
export function TokensTab({ data }: { readonly data: TokensDto }) {
  const x = useMemo(() => bucketSeconds(data.range.buckets), [data]);
  const layers = useMemo(() => tokenLayers(data.series), [data]);
  const { totals } = data;
  return (
    <>
      {totals.total === 0 && <EmptyRange />}
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
          formatValue={formatCountTick}
        />
      </StatCard>
      <StatCard title="By model" wide>
        <DataTable
          columns={MODEL_COLUMNS}
          rows={data.byModel}
          rowKey={(item) => `${item.provider}/${item.model}`}
        />
      </StatCard>
    </>
  );
}
