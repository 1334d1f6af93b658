import { describe, expect } from 'vitest';
import { runAdminCommand } from '#local/admin-commands.ts';
import { type ProxyStack, proxyStackTest, storedOpenAi } from '../support/proxy-stack.ts';

const it = proxyStackTest({ providerFakes: true });

function client(stack: ProxyStack, provider: 'openai' | 'gemini' | 'mistral') {
  return storedOpenAi(stack, provider);
}

describe('unpriced models', () => {
  it('are recorded as unpriced, logged for operators and listed by the admin CLI', async ({
    stack,
  }) => {
    // Arrange: two unknown models (one twice) and a priced one
    const before = (await stack.settledRecords()).length;
    const ask = (provider: 'openai' | 'gemini' | 'mistral', model: string) =>
      client(stack, provider).chat.completions.create({
        model,
        messages: [{ role: 'user', content: 'hi' }],
      });

    // Act
    await ask('mistral', 'mistral-gigantic-2612');
    await ask('mistral', 'mistral-gigantic-2612');
    await ask('gemini', 'models/gemini-9-pro');
    await ask('gemini', 'models/gemini-2.5-flash');
    await stack.waitForRecords(before + 4);

    // Assert
    const records = (await stack.records()).slice(0, 4);
    expect(records.map((record) => [record.model, record.costPicoUsd === null])).toEqual([
      ['models/gemini-2.5-flash', false],
      ['models/gemini-9-pro', true],
      ['mistral-gigantic-2612', true],
      ['mistral-gigantic-2612', true],
    ]);
    const logged = stack.logLines
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((line) => line.message === 'unpriced model')
      .map((line) => [line.provider, line.model]);
    expect(logged).toEqual([
      ['mistral', 'mistral-gigantic-2612'],
      ['mistral', 'mistral-gigantic-2612'],
      ['gemini', 'models/gemini-9-pro'],
    ]);
    const table = await runAdminCommand(stack.metrion.data, {
      command: 'unpriced',
      options: { account: stack.accountId },
      readStdin: async () => '',
    });
    const rows = table.split('\n').map((row) => row.trim().split(/\s{2,}/));
    expect(rows[0]).toEqual(['provider', 'model', 'requests', 'last seen']);
    expect(rows.slice(1).map((row) => row.slice(0, 3))).toEqual([
      ['mistral', 'mistral-gigantic-2612', '2'],
      ['gemini', 'models/gemini-9-pro', '1'],
    ]);
  });
});
