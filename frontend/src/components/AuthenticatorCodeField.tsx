import { FormField } from './FormField.tsx';

/** The 6-digit code of an authenticator app: numeric keypad, one-time-code autofill. */
export function AuthenticatorCodeField({
  value,
  onValue,
}: {
  readonly value: string;
  readonly onValue: (value: string) => void;
}) {
  return (
    <FormField
      id="authenticator-code"
      label="Authenticator code"
      inputMode="numeric"
      autoComplete="one-time-code"
      pattern="[0-9]{6}"
      maxLength={6}
      required
      value={value}
      onValue={(next) => onValue(next.replace(/\D/g, ''))}
      hint="The 6-digit code your authenticator app shows for Metrion now."
    />
  );
}
