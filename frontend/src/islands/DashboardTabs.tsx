import { useCallback, useEffect, useMemo, useState } from 'react';
import type {
  CostsDto,
  ErrorsDto,
  LatencyDto,
  OverviewDto,
  TagBreakdownDto,
  TokensDto,
} from '#contracts/dashboard-api.ts';
import { FilterBar } from '../components/FilterBar.tsx';
import { LoadFailed, Loading } from '../components/LoadFailed.tsx';
import { NoRequests } from '../components/NoRequests.tsx';
import { useLatestRead } from '../hooks/use-latest-read.ts';
import { useSharedFilters } from '../hooks/use-shared-filters.ts';
import { api } from '../lib/api-client.ts';
import {
  DEFAULT_FILTERS,
  filterQuery,
  filtersComplete,
  type SharedFilters,
} from '../lib/filters.ts';
import { ByTagTab } from './dashboard/ByTagTab.tsx';
import { CostsTab } from './dashboard/CostsTab.tsx';
import { ErrorsTab } from './dashboard/ErrorsTab.tsx';
import { LatencyTab } from './dashboard/LatencyTab.tsx';
import { OverviewTab } from './dashboard/OverviewTab.tsx';
import { TokensTab } from './dashboard/TokensTab.tsx';

const TABS = [
  { id: 'overview', label: 'Overview' },
  { id: 'costs', label: 'Costs' },
  { id: 'tokens', label: 'Tokens' },
  { id: 'latency', label: 'Latency' },
  { id: 'errors', label: 'Errors' },
  { id: 'tags', label: 'By tag' },
] as const;
type TabId = (typeof TABS)[number]['id'];

type TabData =
  | { readonly tab: 'overview'; readonly value: OverviewDto }
  | { readonly tab: 'costs'; readonly value: CostsDto }
  | { readonly tab: 'tokens'; readonly value: TokensDto }
  | { readonly tab: 'latency'; readonly value: LatencyDto }
  | { readonly tab: 'errors'; readonly value: ErrorsDto }
  | { readonly tab: 'tags'; readonly value: TagBreakdownDto };

/** `tagKey`: the By tag view's key (null: the key used most recently). */
async function loadTab(
  tab: TabId,
  filters: SharedFilters,
  tagKey: string | null,
): Promise<TabData> {
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
    case 'tags':
      return {
        tab,
        value: await api.getDashboardTags(tagKey === null ? query : { ...query, key: tagKey }),
      };
  }
}

/**
 * What a tab's answer lacks, if anything: no request in the range (no error, for the Errors
 * tab). Such a tab shows one empty-state card instead of cards full of zeros.
 */
function missing(data: TabData): 'requests' | 'errors' | undefined {
  switch (data.tab) {
    case 'overview':
      return data.value.requests.total === 0 ? 'requests' : undefined;
    case 'costs':
      return data.value.byRequester.length === 0 ? 'requests' : undefined;
    case 'tokens':
      return data.value.byModel.length === 0 ? 'requests' : undefined;
    case 'latency':
      return data.value.overall.avg === null ? 'requests' : undefined;
    case 'errors':
      return data.value.errors.total === 0 ? 'errors' : undefined;
    case 'tags':
      // Its own empty state (no tags yet) says how to send them; a key without requests in the
      // range is the usual "no requests".
      return data.value.key !== null && data.value.total.requests === 0 ? 'requests' : undefined;
  }
}

/** What the By tag view does to the rest of the Dashboard. */
interface TagActions {
  readonly onTagKey: (key: string) => void;
  readonly onTagFilter: (key: string, value: string) => void;
}

function TabPanel({ data, onTagKey, onTagFilter }: { readonly data: TabData } & TagActions) {
  switch (data.tab) {
    case 'overview':
      return <OverviewTab data={data.value} />;
    case 'costs':
      return <CostsTab data={data.value} />;
    case 'tokens':
      return <TokensTab data={data.value} />;
    case 'latency':
      return <LatencyTab data={data.value} />;
    case 'errors':
      return <ErrorsTab data={data.value} />;
    case 'tags':
      return <ByTagTab data={data.value} onKey={onTagKey} onFilter={onTagFilter} />;
  }
}

function TabContent({
  data,
  filters,
  onChange,
  ...tagActions
}: {
  readonly data: TabData;
  readonly filters: SharedFilters;
  readonly onChange: (filters: SharedFilters) => void;
} & TagActions) {
  const empty = missing(data);
  return empty === undefined ? (
    <TabPanel data={data} {...tagActions} />
  ) : (
    <NoRequests what={empty} filters={filters} onChange={onChange} />
  );
}

/** The Dashboard: six tabs over the shared range and filters (kept in the query string). */
export default function DashboardTabs() {
  const { filters, change } = useSharedFilters();
  const [tab, setTab] = useState<TabId>('overview');
  const [tagKey, setTagKey] = useState<string | null>(null);
  const read = useMemo(
    () => (filters && filtersComplete(filters) ? () => loadTab(tab, filters, tagKey) : null),
    [tab, filters, tagKey],
  );
  const { resource, retry } = useLatestRead(read);

  useEffect(() => {
    const fromHash = location.hash.slice(1);
    const known = TABS.find((item) => item.id === fromHash);
    if (known) setTab(known.id);
  }, []);

  const chooseTab = useCallback((id: TabId) => {
    history.replaceState(null, '', `${location.pathname}${location.search}#${id}`);
    setTab(id);
  }, []);
  // A value of the By tag view becomes the tag filter of every tab, shown on the Overview.
  const filterByTag = useCallback(
    (key: string, value: string) => {
      if (filters === null) return;
      change({ ...filters, tag: [`${key}:${value}`] });
      chooseTab('overview');
    },
    [filters, change, chooseTab],
  );

  return (
    <div className="dashboard">
      <FilterBar filters={filters ?? DEFAULT_FILTERS} onChange={change} />
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
        {resource.state === 'loading' && <Loading what="usage" />}
        {resource.state === 'error' && <LoadFailed message={resource.message} onRetry={retry} />}
        {/* Until the new tab's read starts, the previous tab's answer is not shown under it. */}
        {resource.state === 'ready' && resource.value.tab === tab && (
          <TabContent
            data={resource.value}
            filters={filters ?? DEFAULT_FILTERS}
            onChange={change}
            onTagKey={setTagKey}
            onTagFilter={filterByTag}
          />
        )}
      </div>
    </div>
  );
}
