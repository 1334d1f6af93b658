import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readLocalConfig } from '#local/local-config.ts';
import { LOCAL_PORTS, listenErrorCode, PortUnavailableError } from '#local/local-ports.ts';

const servers = Object.values(LOCAL_PORTS);

describe('LOCAL_PORTS', () => {
  it('gives every local server its own port and its own variable', () => {
    expect(new Set(servers.map((server) => server.port)).size).toBe(servers.length);
    expect(new Set(servers.map((server) => server.variable)).size).toBe(servers.length);
  });

  it('are the defaults npm start uses', () => {
    const config = readLocalConfig({});
    expect({
      api: config.port,
      cognito: config.cognitoPort,
      ses: config.sesPort,
      stripe: config.billing.kind === 'stand-in' ? config.billing.port : undefined,
    }).toEqual({ api: 8787, cognito: 8788, ses: 8789, stripe: 8790 });
  });

  it("match the README's Configuration table, row by row", () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    for (const { variable, port } of servers) {
      const row = readme.split('\n').find((line) => line.startsWith(`| \`${variable}\` `));
      expect(row, `README row for ${variable}`).toBeDefined();
      expect(row?.split('|')[2]?.trim()).toBe(`\`${port}\``);
    }
  });
});

describe('PortUnavailableError', () => {
  it('names the port, its variable and what to do, in one line', () => {
    const error = new PortUnavailableError('ses', 8789, 'EADDRINUSE');
    expect(error.message).toBe(
      'Port 8789 for aws-ses-v2-local (alert emails) is in use. Stop what holds it (lsof -i :8789), or set METRION_SES_PORT to a free port (METRION_SES_PORT=0 picks one).',
    );
    expect(error.message).not.toContain('\n');
  });

  it('finds the listen error code on the error or its cause', () => {
    const inUse = Object.assign(new Error('listen EADDRINUSE'), { code: 'EADDRINUSE' });
    expect(listenErrorCode(inUse)).toBe('EADDRINUSE');
    expect(listenErrorCode(new Error('wrapped', { cause: inUse }))).toBe('EADDRINUSE');
    expect(listenErrorCode(Object.assign(new Error('x'), { code: 'ENOENT' }))).toBeUndefined();
  });
});
