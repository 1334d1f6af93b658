import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeWebhookClient, type Resolver } from '#adapters/http/node-webhook-client.ts';
import { AWS_WEBHOOK_POLICY, LOCAL_WEBHOOK_POLICY } from '#adapters/http/url-policy.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../../fixtures/webhook-receiver.ts';

/** A resolver that answers fixed addresses per host, like a DNS server the customer controls. */
function fakeDns(answers: Record<string, string[]>): Resolver {
  return async (hostname) =>
    (answers[hostname] ?? []).map((address) => ({
      address,
      family: address.includes(':') ? 6 : 4,
    }));
}

let receiver: WebhookReceiver;
beforeAll(async () => {
  receiver = await startWebhookReceiver();
});
afterAll(() => receiver.close());

describe('NodeWebhookClient in AWS mode: https to public addresses only', () => {
  const aws = (answers: Record<string, string[]> = {}) =>
    new NodeWebhookClient({ policy: AWS_WEBHOOK_POLICY, resolve: fakeDns(answers) });

  it.each([
    ['http://hooks.example.com/x', 'must use https'],
    ['https://user:pw@hooks.example.com/x', 'user name or password'],
    ['https://10.1.2.3/x', 'private'],
    ['https://172.16.0.1/x', 'private'],
    ['https://192.168.1.1/x', 'private'],
    ['https://127.0.0.1/x', 'private'],
    ['https://169.254.169.254/latest/meta-data/', 'private'],
    ['https://100.64.0.1/x', 'private'],
    ['https://0.0.0.0/x', 'private'],
    ['https://[::1]/x', 'private'],
    ['https://[fe80::1]/x', 'private'],
    ['https://[fd00:ec2::254]/x', 'private'],
    ['https://[::ffff:127.0.0.1]/x', 'private'],
    ['https://[::ffff:a9fe:a9fe]/x', 'private'],
    ['not a url', 'complete URL'],
  ])('refuses %s before any connection', async (url, reason) => {
    const client = aws();
    expect(await client.refusal(url)).toContain(reason);
    const result = await client.post(url, {}, '{}');
    expect(result.kind).toBe('refused');
  });

  it('refuses a host whose DNS answer is loopback, private or metadata, on check and on send', async () => {
    const client = aws({
      'loopback.example.com': ['127.0.0.1'],
      'inside.example.com': ['10.0.0.7'],
      'metadata.example.com': ['169.254.169.254'],
      // One public and one private answer: refused whole (the connection could pick either).
      'mixed.example.com': ['93.184.215.14', '192.168.0.10'],
    });
    for (const host of ['loopback', 'inside', 'metadata', 'mixed']) {
      const url = `https://${host}.example.com/hook`;
      expect(await client.refusal(url)).toContain('private');
      expect(await client.post(url, {}, '{}')).toMatchObject({ kind: 'refused' });
    }
    expect(await client.refusal('https://nowhere.example.com/')).toBe('The host does not resolve.');
  });

  it('refuses localhost through the real system resolver', async () => {
    const client = new NodeWebhookClient({ policy: AWS_WEBHOOK_POLICY });
    expect(await client.refusal('https://localhost/hook')).toContain('private');
    expect(await client.post('https://localhost/hook', {}, '{}')).toMatchObject({
      kind: 'refused',
    });
  });

  it('refuses the local receiver itself (http and loopback): nothing reaches it', async () => {
    const before = receiver.received.length;
    expect(await aws().post(`${receiver.url}/hook`, {}, '{}')).toMatchObject({ kind: 'refused' });
    expect(receiver.received.length).toBe(before);
  });

  it('accepts a host that resolves to public addresses only', async () => {
    expect(
      await aws({ 'hooks.example.com': ['93.184.215.14'] }).refusal('https://hooks.example.com/'),
    ).toBe(undefined);
  });
});

describe('NodeWebhookClient locally: http://127.0.0.1 allowed', () => {
  const local = () => new NodeWebhookClient({ policy: LOCAL_WEBHOOK_POLICY, timeoutMs: 300 });

  it('POSTs the body and headers and answers the status only', async () => {
    receiver.answer = () => ({ status: 202 });
    const result = await local().post(
      `${receiver.url}/hook`,
      { 'content-type': 'application/json', 'x-test': 'yes' },
      '{"a":1}',
    );
    expect(result).toEqual({ kind: 'answered', status: 202 });
    expect(receiver.received.at(-1)).toMatchObject({
      path: '/hook',
      body: '{"a":1}',
      headers: { 'x-test': 'yes', 'content-type': 'application/json' },
    });
  });

  it('does not follow a redirect: the 302 is the answer and its target gets nothing', async () => {
    receiver.answer = (request) =>
      request.path === '/moved'
        ? { status: 302, headers: { location: `${receiver.url}/elsewhere` } }
        : { status: 200 };
    const result = await local().post(`${receiver.url}/moved`, {}, '{}');
    expect(result).toEqual({ kind: 'answered', status: 302 });
    expect(receiver.received.some((request) => request.path === '/elsewhere')).toBe(false);
  });

  it('still refuses other loopback names and private addresses', async () => {
    expect(await local().refusal('http://localhost:1/x')).toContain('https');
    expect(await local().refusal('https://10.0.0.1/x')).toContain('private');
  });

  describe('a receiver that never answers', () => {
    let silent: Server;
    const sockets = new Set<import('node:net').Socket>();
    beforeAll(async () => {
      silent = createServer(() => undefined);
      silent.on('connection', (socket) => sockets.add(socket));
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    });
    afterAll(async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    });

    it('times out', async () => {
      const { port } = silent.address() as AddressInfo;
      expect(await local().post(`http://127.0.0.1:${port}/`, {}, '{}')).toEqual({
        kind: 'failed',
        reason: 'timeout',
      });
    });
  });

  it('a closed port is a network failure', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    expect(await local().post(`http://127.0.0.1:${port}/`, {}, '{}')).toEqual({
      kind: 'failed',
      reason: 'network',
    });
  });
});
