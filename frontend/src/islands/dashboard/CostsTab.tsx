import { useMemo } from 'react';
import type { CostsDto } from '#contracts/dashboard-api.ts';
import { Bars, StatCard } from '../../components/charts/parts.tsx';
import { StackedChart } from '../../components/charts/StackedChart.tsx';
import { type Column, DataTable } from '../../components/DataTable.tsx';
import { FxNote } from '../../components/FxNote.tsx';
import { UnpricedNotice } from '../../components/UnpricedNotice.tsx';
import { useMoneyTicks } from '../../hooks/use-money-ticks.ts';
import { bucketSeconds, costLayers } from '../../lib/chart-data.ts';
import { providerColor } from '../../lib/colors.ts';
import { formatCount, formatMoneyDecimal, formatShare } from '../../lib/format.ts';
import { providerLabel } from '../../lib/providers.ts';

type RequesterCost = CostsDto['byRequester'][number];

function requesterColumns(currency: CostsDto['fx']['currency']): Column<RequesterCost>[] {
  return [
    {
      key: 'requester',
      header: 'Requester',
      cell: (item) => item.requester ?? <span className="muted">No requester</span>,
    },
    {
      key: 'requests',
      header: 'Requests',
      numeric: true,
      cell: (item) => formatCount(item.requests),
    },
    {
      key: 'cost',
      header: 'Cost',
      numeric: true,
      cell: (item) => formatMoneyDecimal(item.total, currency),
    },
  ];
}

/** The current month's projection for the filters: the forecast alert rules' own figure. */
function MonthForecast({
  forecast,
  currency,
}: {
  readonly forecast: CostsDto['monthForecast'];
  readonly currency: CostsDto['fx']['currency'];
}) {
  if (forecast.status === 'too_little_history') {
    return (
      <StatCard title={`Projected for ${forecast.month}`} wide testId="card-month-forecast">
        <p className="muted">
          Needs {forecast.neededDays} whole days of history; this account has {forecast.paceDays}.
        </p>
      </StatCard>
    );
  }
  const through = new Date(Date.parse(forecast.exactThrough) - 1).toISOString().slice(0, 10);
  return (
    <StatCard
      title={`Projected for ${forecast.month}`}
      value={formatMoneyDecimal(forecast.projected, currency)}
      wide
      testId="card-month-forecast"
    >
      <p className="muted">
        {formatMoneyDecimal(forecast.spent, currency)} spent through {through} (exact), plus{' '}
        {formatMoneyDecimal(forecast.dailyPace, currency)} a day (the last {forecast.paceDays} days’
        average) for the rest of the month. Forecast alert rules use this same figure.
      </p>
    </StatCard>
  );
}

/** Costs: cost by model over time, share by provider, and cost per requester. */
export function CostsTab({ data }: { readonly data: CostsDto }) {
  const currency = data.fx.currency;
  const money = useMoneyTicks(currency);
  const x = useMemo(() => bucketSeconds(data.range.buckets), [data]);
  const layers = useMemo(() => costLayers(data.byModel), [data]);
  const columns = useMemo(() => requesterColumns(currency), [currency]);
  return (
    <>
      <FxNote fx={data.fx} unpriced={data.cost.unpricedRequests} />
      <UnpricedNotice cost={data.cost} range={data.range} />
      <MonthForecast forecast={data.monthForecast} currency={currency} />
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
            bars={data.byProvider.map((item) => ({
              key: item.provider,
              label: providerLabel(item.provider),
              value: item.share,
              text: `${formatMoneyDecimal(item.total, currency)} · ${formatShare(item.share)}`,
              color: providerColor(item.provider),
              series: item.provider,
            }))}
          />
        </StatCard>
      </div>
      <StatCard title="By requester" wide>
        <DataTable
          className="table table--compact"
          columns={columns}
          rows={data.byRequester}
          rowKey={(item) => item.requester ?? '-'}
        />
      </StatCard>
    </>
  );
}
