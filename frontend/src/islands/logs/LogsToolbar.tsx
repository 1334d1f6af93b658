import { formatCount, plural } from '../../lib/format.ts';

/** Above the Logs table: the request count, a search of the page and the CSV download. */
export function LogsToolbar(props: {
  /** Requests matching the filters; null while loading. */
  totalCount: number | null;
  search: string;
  onSearch: (search: string) => void;
  /** Rows on this page that match the search. */
  matchCount: number;
  downloading: boolean;
  canDownload: boolean;
  onDownload: () => void;
}) {
  const { totalCount, search } = props;
  return (
    <div className="logs__toolbar">
      <p className="logs__count">
        {totalCount !== null && (
          <span data-total-count={totalCount}>
            {formatCount(totalCount)} {plural(totalCount, 'request', 'requests')}
            {search.trim() !== '' &&
              ` · ${formatCount(props.matchCount)} on this page match “${search.trim()}”`}
          </span>
        )}
      </p>
      <label className="logs__search">
        <span className="visually-hidden">Search this page</span>
        <input
          type="search"
          placeholder="Search by model, requester, tag"
          value={search}
          onChange={(event) => props.onSearch(event.target.value)}
        />
      </label>
      <button
        type="button"
        className="button button--secondary button--small"
        onClick={props.onDownload}
        disabled={props.downloading || !props.canDownload}
      >
        {props.downloading ? 'Preparing CSV…' : 'Download CSV'}
      </button>
    </div>
  );
}
