import { describe, expect, it } from 'vitest';
import { rollupItem } from '#adapters/dynamodb/dynamo-rollup-store.ts';
import { dimensionKey, rollupsFromRecords } from '#core/rollups/rollup.ts';
import {
  MAX_MODEL_ID_LENGTH,
  MAX_REQUESTER_LENGTH,
  USAGE_KINDS,
} from '#core/usage/usage-record.ts';
import { usageRecord } from '../../../fixtures/usage-record.ts';

/** DynamoDB's limit for a sort key value, in UTF-8 bytes. */
const MAX_SORT_KEY_BYTES = 1024;

describe('dimensionKey: a rollup sort key always fits DynamoDB', () => {
  it('stays within 1,024 bytes for the longest model and requester, whatever their characters', () => {
    const record = usageRecord({
      model: '€/'.repeat(MAX_MODEL_ID_LENGTH / 2),
      requester: '%'.repeat(MAX_REQUESTER_LENGTH),
      kind: 'embeddings',
    });
    const [rollup] = rollupsFromRecords([{ record, expiresAtEpochSeconds: 0 }], 'hour', true);
    if (rollup === undefined) throw new Error('no rollup');
    const { sk } = rollupItem(rollup);
    expect(Buffer.byteLength(String(sk), 'utf8')).toBeLessThanOrEqual(MAX_SORT_KEY_BYTES);
  });

  it('keeps short parts as before and tells long ones apart', () => {
    expect(
      dimensionKey({
        provider: 'openai',
        model: 'gpt-4o',
        requester: 'a b',
        status: 200,
        kind: 'chat',
      }),
    ).toBe('openai|gpt-4o|a%20b|200');
    const long = (tail: string) =>
      dimensionKey({
        provider: 'openai',
        model: `${'/'.repeat(250)}${tail}`,
        requester: null,
        status: 200,
        kind: 'chat',
      });
    expect(long('a')).not.toBe(long('b'));
  });

  it('keeps a part of exactly 200 encoded characters readable and hashes one longer', () => {
    const key = (model: string) =>
      dimensionKey({ provider: 'openai', model, requester: null, status: 200, kind: 'chat' });

    expect(key('m'.repeat(200))).toBe(`openai|${'m'.repeat(200)}||200`);
    expect(key('m'.repeat(201))).toMatch(/^openai\|\$[0-9a-f]{64}\|\|200$/);
  });

  it('keeps the chat key of items written before kinds and gives every other kind its own', () => {
    const dimensions = {
      provider: 'openai',
      model: 'gpt-4o',
      requester: null,
      status: 200,
    } as const;
    const keys = USAGE_KINDS.map((kind) => dimensionKey({ ...dimensions, kind }));
    expect(keys).toEqual([
      'openai|gpt-4o||200',
      'openai|gpt-4o||200|responses',
      'openai|gpt-4o||200|embeddings',
    ]);
    // A requester that spells a kind part stays apart: `|` inside a part is encoded.
    expect(dimensionKey({ ...dimensions, requester: '|200|responses', kind: 'chat' })).not.toBe(
      dimensionKey({ ...dimensions, kind: 'responses' }),
    );
  });

  it('does not throw on a string with a lone surrogate', () => {
    expect(() =>
      dimensionKey({
        provider: 'openai',
        model: 'm\ud800',
        requester: null,
        status: 200,
        kind: 'chat',
      }),
    ).not.toThrow();
  });
});
