import type { CostsDto } from '#contracts/dashboard-api.ts';
import { formatCount } from '../lib/format.ts';
import { unpricedLogsHref, unpricedModelList } from '../lib/unpriced.ts';
import { Notice } from './Notice.tsx';

interface UnpricedNoticeProps {
  readonly cost: Pick<
    CostsDto['cost'],
    'unpricedRequests' | 'unpricedModels' | 'tierUnpricedRequests'
  >;
  /** The range the figures cover (the answer's `range`). */
  readonly range: { readonly from: string; readonly to: string };
}

/**
 * Which requests the cost figures leave out (no price for their model), with a link to them in
 * Logs, and how many were priced at the standard rate for want of a price for their service
 * tier. Nothing when every request was priced.
 */
export function UnpricedNotice({ cost, range }: UnpricedNoticeProps) {
  if (cost.unpricedRequests === 0 && cost.tierUnpricedRequests === 0) return null;
  return (
    <Notice kind="warning">
      <span data-unpriced>
        {cost.unpricedRequests > 0 && (
          <>
            {formatCount(cost.unpricedRequests)} requests had no price in this range and are not in
            the costs: {unpricedModelList(cost.unpricedModels)}.{' '}
            <a href={unpricedLogsHref(cost.unpricedModels, range)}>See them in Logs</a>.{' '}
          </>
        )}
        {cost.tierUnpricedRequests > 0 &&
          `${formatCount(cost.tierUnpricedRequests)} requests ran in a service tier without a known price and were priced at the standard rate.`}
      </span>
    </Notice>
  );
}
