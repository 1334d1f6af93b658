// Local mode's DynamoDB clients reach dynalite through its worker's MessagePort, not HTTP
// (functions/local/dynalite-hand-off.ts): the hot-path stores' contracts hold over that transport.
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoRollupStore } from '#adapters/dynamodb/dynamo-rollup-store.ts';
import { DynamoUsageStore } from '#adapters/dynamodb/dynamo-usage-store.ts';
import { type LocalData, localDocumentClient, openLocalData } from '#local/local-data.ts';
import { type RunningDynalite, startDynalite } from '#local/stand-ins.ts';
import { dynamoAccountPorts } from '../fixtures/account-stores.ts';
import { setDynamoWindowCount } from '../fixtures/admission.ts';
import { proxyAdmissionContract } from './proxy-admission.contract.ts';
import { rollupStoreContract } from './rollup-store.contract.ts';
import { usageStoreContract } from './usage-store.contract.ts';

describe('the stores over the dynalite hand-off', () => {
  let dynalite: RunningDynalite;
  let client: DynamoDBDocumentClient;
  let tables: { accounts: string; usage: string };
  beforeAll(async () => {
    dynalite = await startDynalite();
    // Local mode's own wiring: the tables, and a document client on the hand-off.
    const data: LocalData = await openLocalData({
      dynamoEndpoint: dynalite.endpoint,
      dynamoHandOff: dynalite.handOff,
    });
    client = data.documentClient;
    tables = { accounts: data.accountsTable, usage: data.usageTable };
  });
  afterAll(async () => {
    client.destroy();
    await dynalite.close();
  });

  describe('ProxyAdmission', () => {
    proxyAdmissionContract(() => {
      const table = { client, tableName: tables.accounts };
      return {
        ...dynamoAccountPorts(table),
        setWindowCount: (digest, counter, count) =>
          setDynamoWindowCount(table, digest, counter, count),
      };
    });
  });

  describe('UsageStore', () => {
    usageStoreContract((clock) => new DynamoUsageStore({ client, tableName: tables.usage, clock }));
  });

  describe('RollupStore', () => {
    rollupStoreContract(async (clock) => ({
      usage: new DynamoUsageStore({ client, tableName: tables.usage, clock }),
      rollups: new DynamoRollupStore({ client, tableName: tables.usage, clock }),
    }));
  });

  it('gives each of many calls sent in one turn its own answer', async () => {
    const keys = Array.from({ length: 25 }, (_, index) => ({
      pk: 'HAND-OFF-TURN',
      sk: `${index}`,
    }));
    await Promise.all(
      keys.map((key, index) =>
        client.send(new PutCommand({ TableName: tables.usage, Item: { ...key, index } })),
      ),
    );
    const read = await Promise.all(
      keys.map((key) => client.send(new GetCommand({ TableName: tables.usage, Key: key }))),
    );
    expect(read.map((answer) => answer.Item?.index)).toEqual(keys.map((_, index) => index));
  });

  it('answers what the HTTP endpoint answers, byte for byte in the items', async () => {
    const item = { pk: 'HAND-OFF', sk: 'ITEM', text: 'zürich ✓', count: 12345678901234, on: true };
    await client.send(new PutCommand({ TableName: tables.usage, Item: item }));
    const overHttp = localDocumentClient(dynalite.endpoint);
    try {
      const key = { pk: 'HAND-OFF', sk: 'ITEM' };
      const viaPort = await client.send(new GetCommand({ TableName: tables.usage, Key: key }));
      const viaHttp = await overHttp.send(new GetCommand({ TableName: tables.usage, Key: key }));
      expect(viaPort.Item).toEqual(item);
      expect(viaHttp.Item).toEqual(viaPort.Item);
    } finally {
      overHttp.destroy();
    }
  });
});

describe('the dynalite hand-off when the worker is gone', () => {
  it('fails calls instead of leaving them waiting', async () => {
    const dynalite = await startDynalite();
    const client = localDocumentClient(dynalite.endpoint, dynalite.handOff);
    await dynalite.close();
    await expect(
      client.send(new GetCommand({ TableName: 'gone', Key: { pk: 'a', sk: 'b' } })),
    ).rejects.toThrow(/dynalite/);
    client.destroy();
  });
});
