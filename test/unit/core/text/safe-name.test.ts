import { describe, expect, it } from 'vitest';
import { createAlertRuleSchema, updateAlertRuleSchema } from '#contracts/alerts-api.ts';
import { updateGeneralSchema } from '#contracts/settings-api.ts';
import { hasUnsafeNameCharacter } from '#core/text/safe-name.ts';

describe('names that reach emails', () => {
  it.each([
    ['a right-to-left override', 'Budget\u202Egpj.exe'],
    ['a left-to-right embedding', 'a\u202Ab'],
    ['a first-strong isolate', 'a\u2068b'],
    ['a right-to-left mark', 'a\u200Fb'],
    ['an Arabic letter mark', 'a\u061Cb'],
    ['a zero-width space', 'a\u200Bb'],
    ['a byte-order mark', '\uFEFFa'],
    ['a soft hyphen', 'ad\u00ADmin'],
    ['a line separator', 'a\u2028b'],
    ['a line feed', 'a\nb'],
    ['a DEL', 'a\u007Fb'],
  ])('refuses %s', (_label, name) => {
    expect(hasUnsafeNameCharacter(name)).toBe(true);
  });

  it.each([
    ['plain ASCII', 'Monthly OpenAI budget'],
    ['accents and CJK', 'Café 予算'],
    ['an emoji joined with ZWJ', 'Team 👩\u200D💻'],
    ['a Persian word with a non-joiner', 'می\u200Cخواهم'],
    ['right-to-left text without controls', 'תקציב חודשי'],
  ])('accepts %s', (_label, name) => {
    expect(hasUnsafeNameCharacter(name)).toBe(false);
  });

  it('is the rule of alert rule names and display names in the API', () => {
    const forged = 'Budget\u202Egpj.exe';
    const create = createAlertRuleSchema.safeParse({ type: 'budget', threshold: 1, name: forged });
    const update = updateAlertRuleSchema.safeParse({ name: forged });
    const general = updateGeneralSchema.safeParse({ displayName: forged });

    for (const result of [create, update, general]) {
      expect(result.success).toBe(false);
      expect(result.error?.issues[0]?.message).toMatch(/right-to-left overrides/);
    }
    expect(
      createAlertRuleSchema.safeParse({ type: 'budget', threshold: 1, name: 'Team 👩\u200D💻' })
        .success,
    ).toBe(true);
  });
});
