/** Previous and Next under the Logs table; pages are numbered from 1. */
export function LogsPager(props: {
  page: number;
  nextCursor: string | null;
  onPrevious: () => void;
  onNext: (cursor: string) => void;
}) {
  const { nextCursor } = props;
  return (
    <div className="button-row">
      <button
        type="button"
        className="button button--secondary button--small"
        disabled={props.page <= 1}
        onClick={props.onPrevious}
      >
        Previous
      </button>
      <span className="muted">Page {props.page}</span>
      <button
        type="button"
        className="button button--secondary button--small"
        disabled={nextCursor === null}
        onClick={() => {
          if (nextCursor !== null) props.onNext(nextCursor);
        }}
      >
        Next
      </button>
    </div>
  );
}
