import type { FxDto } from '#contracts/dashboard-api.ts';
import { formatCount, formatFxRate, plural } from '../lib/format.ts';

/** Which currency the costs are in and, unless USD, the rate and date that converted them. */
export function FxNote({ fx, unpriced = 0 }: { readonly fx: FxDto; readonly unpriced?: number }) {
  return (
    <p className="fx-note" data-fx>
      Costs in {fx.currency}
      {fx.currency !== 'USD' && ` · ${formatFxRate(fx)}`}
      {unpriced > 0 &&
        ` · ${formatCount(unpriced)} ${plural(unpriced, 'request', 'requests')} with an unpriced model ${plural(unpriced, 'is', 'are')} not included`}
    </p>
  );
}
