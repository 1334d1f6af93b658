import { useEffect, useState } from 'react';
import {
  DASHBOARD_RANGES,
  type DashboardRange,
} from '../../../functions/contracts/dashboard-api.ts';
import { api } from '../lib/api-client.ts';
import {
  type FilterName,
  fromLocalInput,
  type SharedFilters,
  toLocalInput,
} from '../lib/filters.ts';

const RANGE_LABELS: Readonly<Record<DashboardRange, string>> = {
  '24h': '24 h',
  '7d': '7 d',
  '30d': '30 d',
  '90d': '90 d',
  custom: 'Custom',
};

const FILTER_LABELS: Readonly<Record<FilterName, string>> = {
  model: 'Model',
  provider: 'Provider',
  requester: 'Requester',
  status: 'Status',
};

interface Dimensions {
  readonly model: readonly string[];
  readonly provider: readonly string[];
  readonly requester: readonly string[];
  readonly status: readonly string[];
}

const NO_DIMENSIONS: Dimensions = { model: [], provider: [], requester: [], status: [] };

interface FilterBarProps {
  readonly filters: SharedFilters;
  readonly onChange: (filters: SharedFilters) => void;
}

/** Time range and the server-side filters shared by Dashboard and Logs. */
export function FilterBar({ filters, onChange }: FilterBarProps) {
  const [dimensions, setDimensions] = useState<Dimensions>(NO_DIMENSIONS);
  const [from, setFrom] = useState(toLocalInput(filters.from));
  const [to, setTo] = useState(toLocalInput(filters.to));
  const { range } = filters;
  const customFrom = filters.from;
  const customTo = filters.to;

  // The values seen in the range fill the filter menus.
  useEffect(() => {
    let current = true;
    const query: Record<string, string> =
      range === 'custom' ? { range, from: customFrom, to: customTo } : { range };
    if (range === 'custom' && (customFrom === '' || customTo === '')) return;
    api.getDashboardOverview(query).then(
      (overview) => {
        if (!current) return;
        const seen = overview.dimensions;
        setDimensions({
          model: seen.models,
          provider: seen.providers,
          requester: seen.requesters,
          status: [...new Set([...seen.statuses.map(String), '2xx', '4xx', '5xx'])],
        });
      },
      () => {
        if (current) setDimensions(NO_DIMENSIONS);
      },
    );
    return () => {
      current = false;
    };
  }, [range, customFrom, customTo]);

  const choose = (name: FilterName, value: string) => onChange({ ...filters, [name]: value });

  return (
    <div className="filter-bar">
      <fieldset className="range-picker">
        <legend className="visually-hidden">Time range</legend>
        {DASHBOARD_RANGES.map((value) => (
          <button
            key={value}
            type="button"
            className="range-picker__option"
            aria-pressed={filters.range === value}
            onClick={() => onChange({ ...filters, range: value })}
          >
            {RANGE_LABELS[value]}
          </button>
        ))}
      </fieldset>
      {filters.range === 'custom' && (
        <form
          className="custom-range"
          onSubmit={(event) => {
            event.preventDefault();
            onChange({ ...filters, from: fromLocalInput(from), to: fromLocalInput(to) });
          }}
        >
          <label>
            From (UTC)
            <input
              type="datetime-local"
              value={from}
              onChange={(e) => setFrom(e.target.value)}
              required
            />
          </label>
          <label>
            To (UTC)
            <input
              type="datetime-local"
              value={to}
              onChange={(e) => setTo(e.target.value)}
              required
            />
          </label>
          <button type="submit" className="button button--secondary button--small">
            Apply
          </button>
        </form>
      )}
      <div className="filters">
        {(['model', 'provider', 'requester', 'status'] as const).map((name) => {
          const options =
            dimensions[name].includes(filters[name]) || filters[name] === ''
              ? dimensions[name]
              : [filters[name], ...dimensions[name]];
          return (
            <label key={name} className="filters__item">
              <span>{FILTER_LABELS[name]}</span>
              <select value={filters[name]} onChange={(event) => choose(name, event.target.value)}>
                <option value="">All</option>
                {name === 'requester' && <option value="-">No requester</option>}
                {options.map((value) => (
                  <option key={value} value={value}>
                    {value}
                  </option>
                ))}
              </select>
            </label>
          );
        })}
      </div>
    </div>
  );
}
