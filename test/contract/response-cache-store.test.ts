import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoResponseCacheStore } from '#adapters/dynamodb/dynamo-response-cache-store.ts';
import { MAX_CACHED_BODY_BYTES } from '#core/ports/response-cache-store.ts';
import { InMemoryResponseCacheStore } from '../fakes/in-memory-response-cache-store.ts';
import { type DynaliteFixture, startDynaliteFixture } from '../fixtures/dynalite.ts';
import { responseCacheStoreContract } from './response-cache-store.contract.ts';

describe('InMemoryResponseCacheStore', () => {
  responseCacheStoreContract(() => new InMemoryResponseCacheStore());
});

describe('DynamoResponseCacheStore on dynalite', () => {
  let fixture: DynaliteFixture;
  beforeAll(async () => {
    fixture = await startDynaliteFixture();
  });
  afterAll(async () => {
    await fixture.close();
  });

  responseCacheStoreContract(
    () =>
      new DynamoResponseCacheStore({
        client: fixture.documentClient,
        tableName: fixture.tableNames.responseCache,
      }),
  );

  it('is backed by a table that refuses items over 400 KB (so the cap matters)', async () => {
    const error = await fixture.client
      .send(
        new PutItemCommand({
          TableName: fixture.tableNames.responseCache,
          Item: {
            pk: { S: 'too-large' },
            body: { B: new Uint8Array(400 * 1024 + 1) },
          },
        }),
      )
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: 'ValidationException' });
    expect(MAX_CACHED_BODY_BYTES).toBeLessThan(400 * 1024);
  });
});
