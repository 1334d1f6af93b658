import { CopyButton } from './CopyButton.tsx';

interface SecretValueProps {
  readonly value: string;
  /** What the value is, for the copy button's accessible name ("Copy Metrion Key"). */
  readonly name: string;
  /** Element id of the value, for labels and tests. */
  readonly id?: string;
}

/** A secret shown in full with a copy button (only the account owner ever sees this page). */
export function SecretValue({ value, name, id }: SecretValueProps) {
  return (
    <div className="secret">
      <code id={id}>{value}</code>
      <CopyButton text={value} label={`Copy ${name}`} />
    </div>
  );
}
