import type { IncomingMessage, ServerResponse } from 'node:http';
import { MessageChannel } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { DynaliteHandOff, serveHandOff } from '#local/dynalite-hand-off.ts';

/** A stand-in for dynalite's listener: answers each request after `delayMs`, noting the order. */
function slowListener(delayMs: number) {
  const events: string[] = [];
  const listener = (req: IncomingMessage, res: ServerResponse) => {
    events.push(`start ${req.url}`);
    setTimeout(() => {
      events.push(`end ${req.url}`);
      res.end('{}');
    }, delayMs);
  };
  const order = (event: string) => events.indexOf(event);
  return { listener, events, order };
}

const call = (path: string) => ({ method: 'POST', path, headers: {}, body: '{}' });

describe('the dynalite hand-off', () => {
  const channels: MessageChannel[] = [];
  afterEach(() => {
    for (const channel of channels.splice(0)) {
      channel.port1.close();
      channel.port2.close();
    }
  });

  function handOff(listener: ReturnType<typeof slowListener>['listener']) {
    const channel = new MessageChannel();
    channels.push(channel);
    serveHandOff(channel.port2, listener as Parameters<typeof serveHandOff>[1]);
    return new DynaliteHandOff(channel.port1);
  }

  it('runs background calls one at a time, after the calls that arrived with them', async () => {
    const dynalite = slowListener(5);
    const client = handOff(dynalite.listener);

    const answers = await Promise.all([
      client.background.handle(call('/background-1')),
      client.background.handle(call('/background-2')),
      client.background.handle(call('/background-3')),
      client.handle(call('/request-1')),
      client.handle(call('/request-2')),
    ]);

    expect(answers.map(({ response }) => response.statusCode)).toEqual([200, 200, 200, 200, 200]);
    expect(dynalite.events.slice(0, 3)).toEqual([
      'start /request-1',
      'start /request-2',
      'start /background-1',
    ]);
    const { order } = dynalite;
    expect(order('start /background-2')).toBeGreaterThan(order('end /background-1'));
    expect(order('start /background-3')).toBeGreaterThan(order('end /background-2'));
  });

  it('starts a call that arrives while a background call runs at once', async () => {
    const dynalite = slowListener(20);
    const client = handOff(dynalite.listener);
    const background = client.background.handle(call('/background-1'));
    await new Promise((resolve) => setTimeout(resolve, 5));

    await Promise.all([client.handle(call('/request-1')), background]);

    expect(dynalite.order('start /background-1')).toBe(0);
    expect(dynalite.order('start /request-1')).toBeLessThan(dynalite.order('end /background-1'));
  });
});
