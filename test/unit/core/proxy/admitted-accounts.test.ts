import { describe, expect, it } from 'vitest';
import type { Account } from '#core/accounts/account.ts';
import { AdmittedAccounts } from '#core/proxy/admitted-accounts.ts';

const account = (accountId: string) => ({ accountId }) as Account;

describe('AdmittedAccounts', () => {
  it('answers the account last admitted for a digest, until it is forgotten', () => {
    const accounts = new AdmittedAccounts();
    accounts.remember('digest-a', account('acct-1'));

    expect(accounts.get('digest-a')?.accountId).toBe('acct-1');
    expect(accounts.get('digest-b')).toBeUndefined();
    accounts.forget('digest-a');
    expect(accounts.get('digest-a')).toBeUndefined();
  });

  it('forgets the least recently admitted digest beyond its bound', () => {
    const accounts = new AdmittedAccounts(2);
    accounts.remember('digest-a', account('acct-1'));
    accounts.remember('digest-b', account('acct-2'));
    accounts.remember('digest-a', account('acct-1'));

    accounts.remember('digest-c', account('acct-3'));

    expect(accounts.get('digest-b')).toBeUndefined();
    expect(accounts.get('digest-a')?.accountId).toBe('acct-1');
    expect(accounts.get('digest-c')?.accountId).toBe('acct-3');
  });
});
