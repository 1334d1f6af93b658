import { describe, expect, it } from 'vitest';
import { serverTimingHeader } from '#core/proxy/server-timing.ts';

describe('serverTimingHeader', () => {
  it('names each phase with its duration in ms (one decimal) and a description', () => {
    expect(
      serverTimingHeader({
        authMs: 2.1,
        upstreamHeadersMs: 143,
        upstreamBodyMs: 0.5,
        overheadMs: 3.4,
      }),
    ).toEqual({
      'server-timing':
        'auth;dur=2.1;desc="auth+limits", upstream;dur=143.0;desc="upstream headers", ' +
        'upstream-body;dur=0.5;desc="upstream body", overhead;dur=3.4;desc="Metrion overhead"',
    });
  });

  it('sends only the phases that were timed, overhead always', () => {
    expect(serverTimingHeader({ overheadMs: 0 })).toEqual({
      'server-timing': 'overhead;dur=0.0;desc="Metrion overhead"',
    });
  });
});
