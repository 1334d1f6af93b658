/**
 * A character that a name shown in an email subject or on a page must not hold: control
 * characters and line or paragraph separators (they forge lines), bidirectional controls and
 * every other invisible format character (U+202E makes `Budget‮gpj.exe` read as `Budget exe.jpg`).
 * The zero-width joiner and non-joiner stay allowed: emoji sequences and Persian and Indic
 * scripts need them.
 */
export const UNSAFE_NAME_CHARACTER = /[\p{Cc}\p{Zl}\p{Zp}]|(?![\u200C\u200D])\p{Cf}/u;

/** The end of the sentence refusing such a name ("A name cannot contain …"). */
export const UNSAFE_NAME_RULE =
  'cannot contain line breaks, control characters or invisible formatting characters (such as right-to-left overrides).';

/** True when `name` holds an {@link UNSAFE_NAME_CHARACTER}. */
export function hasUnsafeNameCharacter(name: string): boolean {
  return UNSAFE_NAME_CHARACTER.test(name);
}
