// A local stack on a pinned clock keeps one time: the records its proxy writes (kept 30 days from
// that time) are read back by its own stores on the same clock, whatever the real date is.
import { describe, expect } from 'vitest';
import { FakeClock } from '../../fakes/fake-clock.ts';
import { proxyStackTest, storedOpenAi } from '../support/proxy-stack.ts';

// Far enough back that its 30 days of retention ended long before any real date this runs on.
const PINNED_MS = Date.parse('2025-06-01T12:00:00.000Z');
const it = proxyStackTest({ clock: new FakeClock({ startMs: PINNED_MS }) });

describe('a local stack on a pinned clock', () => {
  it('reads back the records its proxy wrote at the pinned time', async ({ stack }) => {
    // Act
    const { response } = await storedOpenAi(stack)
      .chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'hi' }],
      })
      .withResponse();

    // Assert
    const record = await stack.recordFor(response.headers.get('x-metrion-request-id'));
    expect(record.at).toBe('2025-06-01T12:00:00.000Z');
    expect(await stack.metrion.data.usage.listRecent(stack.accountId, 10)).toHaveLength(1);
  });
});
