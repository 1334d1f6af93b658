import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiGatewayServer, startApiGatewayServer } from '#local/api-gateway-server.ts';
import { serveStaticFiles } from '#local/static-files.ts';

let root: string;
let server: ApiGatewayServer;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'metrion-static-'));
  await writeFile(join(root, 'index.html'), '<h1>Metrion</h1>');
  server = await startApiGatewayServer({ routes: [], fallback: serveStaticFiles(root) });
});
afterAll(async () => {
  await server?.close();
  await rm(root, { recursive: true, force: true });
});

/** The path exactly as given: fetch would normalise a malformed escape away. */
function get(path: string): Promise<{ status: number; text: string }> {
  const target = new URL(server.url);
  return new Promise((resolve, reject) => {
    httpRequest({ host: target.hostname, port: target.port, path }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
      );
    })
      .on('error', reject)
      .end();
  });
}

describe('local static server', () => {
  it('answers 400 without a stack trace to a malformed percent-encoding', async () => {
    for (const path of ['/%E0%A4%A', '/%', '/settings/%zz']) {
      const response = await get(path);
      expect(response.status).toBe(400);
      expect(response.text).toMatch(/malformed percent-encoding/);
      expect(response.text).not.toMatch(/URIError|\n\s+at /);
    }
  });

  it('still serves files and answers 404 for missing ones', async () => {
    expect(await get('/')).toMatchObject({ status: 200, text: '<h1>Metrion</h1>' });
    expect((await get('/missing%20page')).status).toBe(404);
  });
});
