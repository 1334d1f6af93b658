import { useId, useMemo } from 'react';
import type { TagBreakdownDto } from '#contracts/dashboard-api.ts';
import { Bars, StatCard } from '../../components/charts/parts.tsx';
import { type Column, DataTable } from '../../components/DataTable.tsx';
import { FxNote } from '../../components/FxNote.tsx';
import { colorForName } from '../../lib/colors.ts';
import { formatCount, formatMoneyDecimal, formatShare } from '../../lib/format.ts';

type TagValue = TagBreakdownDto['values'][number];
type Currency = TagBreakdownDto['fx']['currency'];

/** A table row: a value by name, "Other" or the total. */
type Row =
  | { readonly kind: 'value'; readonly item: TagValue }
  | { readonly kind: 'other'; readonly item: TagBreakdownDto['other'] }
  | { readonly kind: 'total'; readonly item: TagBreakdownDto['total'] };

/** "≥" before a figure that may miss usage a summary folded (see `complete`). */
const atLeast = (row: Row) => (row.kind === 'value' && !row.item.complete ? '≥ ' : '');

function columns(
  key: string,
  currency: Currency,
  onFilter: (value: string) => void,
): Column<Row>[] {
  return [
    {
      key: 'value',
      header: key,
      cell: (row) => {
        if (row.kind === 'other') return <span className="muted">Other values</span>;
        if (row.kind === 'total') return <strong>All {key} values</strong>;
        return (
          <button
            type="button"
            className="link-button"
            aria-label={`Filter the Dashboard by ${key}:${row.item.value}`}
            onClick={() => onFilter(row.item.value)}
          >
            {row.item.value}
          </button>
        );
      },
    },
    {
      key: 'requests',
      header: 'Requests',
      numeric: true,
      cell: (row) => `${atLeast(row)}${formatCount(row.item.requests)}`,
    },
    {
      key: 'tokens',
      header: 'Tokens',
      numeric: true,
      cell: (row) => `${atLeast(row)}${formatCount(row.item.totalTokens)}`,
    },
    {
      key: 'cost',
      header: `Cost (${currency})`,
      numeric: true,
      cellData: (row) => ({ 'data-cost': row.item.cost }),
      cell: (row) => `${atLeast(row)}${formatMoneyDecimal(row.item.cost, currency)}`,
    },
    {
      key: 'share',
      header: 'Share',
      numeric: true,
      cell: (row) => (row.kind === 'total' ? '' : formatShare(row.item.share)),
    },
  ];
}

interface ByTagTabProps {
  readonly data: TagBreakdownDto;
  /** Breaks down another tag key. */
  readonly onKey: (key: string) => void;
  /** Filters every tab by `key:value` (and opens the Overview). */
  readonly onFilter: (key: string, value: string) => void;
}

/**
 * By tag: one tag key's requests, tokens and cost per value over the range, the 20 values of
 * highest cost and the rest as "Other", in the account's currency.
 */
export function ByTagTab({ data, onKey, onFilter }: ByTagTabProps) {
  const currency = data.fx.currency;
  const key = data.key;
  const rows = useMemo<Row[]>(
    () => [
      ...data.values.map((item) => ({ kind: 'value' as const, item })),
      ...(data.other.requests > 0 ? [{ kind: 'other' as const, item: data.other }] : []),
      { kind: 'total' as const, item: data.total },
    ],
    [data],
  );
  const tableColumns = useMemo(
    () => (key === null ? [] : columns(key, currency, (value) => onFilter(key, value))),
    [key, currency, onFilter],
  );

  if (key === null) {
    return <NoTags />;
  }
  const incomplete = data.values.some((item) => !item.complete);
  return (
    <>
      <TagKeyPicker data={data} tagKey={key} onKey={onKey} />
      <StatCard
        title={`Cost by ${key}`}
        value={formatMoneyDecimal(data.total.cost, currency)}
        wide
        testId="card-tag-cost"
      >
        <Bars
          label={`Cost share by ${key}`}
          max={data.values[0]?.share ?? 0}
          bars={data.values.slice(0, 10).map((item) => ({
            key: item.value,
            label: item.value,
            value: item.share,
            text: `${formatMoneyDecimal(item.cost, currency)} · ${formatShare(item.share)}`,
            color: colorForName(item.value),
            series: item.value,
          }))}
        />
      </StatCard>
      <StatCard title={`Requests, tokens and cost per ${key}`} wide>
        <div className="table-scroll">
          <DataTable
            className="table table--compact by-tag__table"
            columns={tableColumns}
            rows={rows}
            rowKey={(row) => (row.kind === 'value' ? `v:${row.item.value}` : row.kind)}
            rowData={(row) => ({
              'data-tag-row': row.kind === 'value' ? row.item.value : row.kind,
            })}
          />
        </div>
        {incomplete && (
          <p className="muted by-tag__note">
            ≥: this value was outside the 100 values an hour keeps by name in some hours of the
            range, so its usage there is in Other. Filter by it for its exact total.
          </p>
        )}
      </StatCard>
    </>
  );
}

/** Before any request carried a tag: how to tag one. */
function NoTags() {
  return (
    <section className="dash-card dash-card--wide by-tag__empty" aria-label="By tag">
      <h2 className="dash-card__title">No tags yet</h2>
      <p>
        Tag a request with a header such as <code>x-metrion-tag-feature: search</code> to see its
        cost by feature, customer or agent run here. <a href="/integrate">Integrate</a> shows how
        with your SDK.
      </p>
    </section>
  );
}

/** Which tag key to break down (the shown one first, then every key seen), and the FX note. */
function TagKeyPicker(props: {
  data: TagBreakdownDto;
  tagKey: string;
  onKey: (key: string) => void;
}) {
  const { data, tagKey, onKey } = props;
  const pickerId = useId();
  return (
    <div className="by-tag__header">
      <label htmlFor={pickerId}>Tag key</label>
      <select
        id={pickerId}
        className="by-tag__picker"
        value={tagKey}
        onChange={(event) => onKey(event.target.value)}
      >
        {[...new Set([tagKey, ...data.keys])].map((item) => (
          <option key={item} value={item}>
            {item}
          </option>
        ))}
      </select>
      <FxNote fx={data.fx} unpriced={data.total.unpricedRequests} />
    </div>
  );
}
