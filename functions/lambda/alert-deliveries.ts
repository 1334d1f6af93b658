import { CryptoRandom } from '#adapters/system/crypto-random.ts';
import { SystemClock } from '#adapters/system/system-clock.ts';
import { createAlertDeliveriesHandler } from '#handlers/alert-deliveries.ts';
import { buildAlertDeliveryDeps } from './alert-delivery.deps.ts';
import { awsAlertDeliveryConfig } from './aws-runtime.ts';

export const handler = createAlertDeliveriesHandler(
  buildAlertDeliveryDeps(await awsAlertDeliveryConfig(), {
    clock: new SystemClock(),
    random: new CryptoRandom(),
  }),
);
