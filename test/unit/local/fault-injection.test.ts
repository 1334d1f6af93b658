import { describe, expect, it } from 'vitest';
import { parseFaultHeader } from '#local/fault-injection.ts';

describe('the test fault header', () => {
  it('names store faults per target and a KMS error', () => {
    expect(parseFaultHeader('admission=throttle, record=hang-after-write,kms=error')).toEqual({
      store: { admission: 'throttle', record: 'hang-after-write' },
      kms: 'error',
    });
  });

  it('injects nothing for an absent header or unknown pairs', () => {
    expect(parseFaultHeader(undefined)).toEqual({ store: {} });
    expect(parseFaultHeader('record=explode,disk=throttle,kms=slow')).toEqual({ store: {} });
  });
});
