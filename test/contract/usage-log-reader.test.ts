import { afterAll, beforeAll, describe } from 'vitest';
import { DynamoUsageLogReader } from '#adapters/dynamodb/dynamo-usage-log-reader.ts';
import { DynamoUsageStore } from '#adapters/dynamodb/dynamo-usage-store.ts';
import { InMemoryUsageLog } from '../fakes/in-memory-usage-log.ts';
import { type DynaliteFixture, startDynaliteFixture } from '../fixtures/dynalite.ts';
import { usageLogReaderContract } from './usage-log-reader.contract.ts';

describe('InMemoryUsageLog', () => {
  usageLogReaderContract((clock) => {
    const log = new InMemoryUsageLog({ clock });
    return { append: (record, retention) => log.append(record, retention), reader: log };
  });
});

describe('DynamoUsageLogReader on dynalite (records written by DynamoUsageStore)', () => {
  let fixture: DynaliteFixture;
  beforeAll(async () => {
    fixture = await startDynaliteFixture();
  });
  afterAll(async () => {
    await fixture.close();
  });

  usageLogReaderContract((clock) => {
    const options = { client: fixture.documentClient, tableName: fixture.tableNames.usage, clock };
    const store = new DynamoUsageStore(options);
    return {
      append: (record, retention) => store.append(record, retention),
      reader: new DynamoUsageLogReader(options),
    };
  });
});
