/** A Dashboard tab with no requests in its range and filters. */
export function EmptyRange() {
  return (
    <p className="empty dash-empty" data-empty>
      No requests in this range and filter. Send traffic through the proxy (see Integrate) or pick a
      longer range.
    </p>
  );
}
