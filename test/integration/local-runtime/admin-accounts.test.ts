// `npm run admin` account options: --email wherever --account, one answer for an unknown
// account, and one account per email address.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_USAGE, AdminUsageError, runAdminCommand } from '#local/admin-commands.ts';
import { type LocalData, openLocalData } from '#local/local-data.ts';
import { startDynalite } from '#local/stand-ins.ts';
import { FAKE_OPENAI_API_KEY } from '../../fixtures/fake-openai-server.ts';

let dynalite: Awaited<ReturnType<typeof startDynalite>>;
let data: LocalData;
let accountId: string;
const EMAIL = 'ada@example.com';

function admin(command: string, options: Record<string, string | undefined>) {
  return runAdminCommand(data, {
    command,
    options,
    readStdin: async () => `${FAKE_OPENAI_API_KEY}\n`,
  });
}

beforeAll(async () => {
  dynalite = await startDynalite();
  data = await openLocalData({ dynamoEndpoint: dynalite.endpoint });
  const created = await admin('create-account', { email: EMAIL });
  accountId = /^Account ([0-9a-f]{32}) created\./.exec(created)?.[1] ?? '';
  await admin('set-provider-key', { account: accountId, provider: 'openai', key: '-' });
});
afterAll(async () => {
  await dynalite?.close();
});

/** Every command that names an account, with the other options it needs. */
const ACCOUNT_COMMANDS: readonly [string, Record<string, string>][] = [
  ['show-key', {}],
  ['set-provider-key', { provider: 'openai', key: '-' }],
  ['list-provider-keys', {}],
  ['usage', {}],
  ['unpriced', {}],
];

describe('npm run admin -- <command> --email', () => {
  it.each(ACCOUNT_COMMANDS)('%s answers for --email as for --account', async (command, rest) => {
    const byId = await admin(command, { ...rest, account: accountId });
    const byEmail = await admin(command, { ...rest, email: 'Ada@Example.com' });

    expect(byEmail.replace(/\(.*\)/, '')).toBe(byId.replace(/\(.*\)/, ''));
  });

  it('refuses --account and --email together, and neither', async () => {
    await expect(admin('usage', { account: accountId, email: EMAIL })).rejects.toThrow(
      'Give --account or --email, not both.',
    );
    await expect(admin('usage', {})).rejects.toThrow(
      `--account <id> or --email <email> is required.\n\n${ADMIN_USAGE}`,
    );
  });
});

describe('an account that does not exist', () => {
  it.each(ACCOUNT_COMMANDS)(
    '%s answers "Account not found" for an unknown id or email',
    async (command, rest) => {
      await expect(admin(command, { ...rest, account: 'no-such-account' })).rejects.toMatchObject({
        code: 'not_found',
        message: 'Account not found: no-such-account',
      });
      await expect(admin(command, { ...rest, email: 'nobody@example.com' })).rejects.toMatchObject({
        code: 'not_found',
        message: 'Account not found: no account has the email nobody@example.com',
      });
    },
  );
});

describe('npm run admin -- create-account with an address an account has', () => {
  it('refuses, naming the account and how to reach it', async () => {
    const again = admin('create-account', { email: 'ADA@example.com' });

    await expect(again).rejects.toBeInstanceOf(AdminUsageError);
    await expect(again).rejects.toThrow(
      `ADA@example.com already has an account: ${accountId}. Use --email ADA@example.com with the other commands (show-key prints its Metrion Key).`,
    );
  });
});
