import type { InputHTMLAttributes, ReactNode } from 'react';

type InputProps = Omit<
  InputHTMLAttributes<HTMLInputElement>,
  'id' | 'value' | 'onChange' | 'aria-describedby'
>;

interface FormFieldProps extends InputProps {
  readonly id: string;
  readonly label: string;
  readonly value: string;
  readonly onValue: (value: string) => void;
  /** Shown under the input and read with it (`aria-describedby` = `<id>-hint`). */
  readonly hint?: ReactNode;
  /** A validation message: marks the input invalid and is read with it (`<id>-error`). */
  readonly error?: string | undefined;
}

/** A labelled text input with an optional hint and error: the `.field` block of every form. */
export function FormField({ id, label, value, onValue, hint, error, ...input }: FormFieldProps) {
  const hintId = hint === undefined ? undefined : `${id}-hint`;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        {...input}
        aria-describedby={describedBy(hintId, error === undefined ? undefined : errorId(id))}
        aria-invalid={error === undefined ? undefined : true}
        value={value}
        onChange={(event) => onValue(event.target.value)}
      />
      {hint !== undefined && (
        <span id={hintId} className="field__hint">
          {hint}
        </span>
      )}
      <FieldError id={id} message={error} />
    </div>
  );
}

/** The id of a field's error message (`aria-describedby` target). */
export function errorId(fieldId: string): string {
  return `${fieldId}-error`;
}

/** `aria-describedby` from the ids that are present. */
export function describedBy(...ids: readonly (string | false | undefined)[]): string | undefined {
  const present = ids.filter((id) => typeof id === 'string' && id !== '');
  return present.length === 0 ? undefined : present.join(' ');
}

/** A field's validation message, with the id its input points to; nothing when valid. */
export function FieldError({
  id,
  message,
}: {
  readonly id: string;
  readonly message?: string | undefined;
}) {
  if (message === undefined) return null;
  return (
    <span id={errorId(id)} className="field__error">
      {message}
    </span>
  );
}

type PresetProps = Pick<FormFieldProps, 'value' | 'onValue'>;

/** The account email; `autoComplete` says whether it names an existing account (`username`). */
export function EmailField(props: PresetProps & { readonly autoComplete: 'username' | 'email' }) {
  return <FormField id="email" label="Email" type="email" required {...props} />;
}

/** The emailed confirmation code. */
export function CodeField(props: PresetProps) {
  return (
    <FormField
      id="code"
      label="Confirmation code"
      type="text"
      inputMode="numeric"
      autoComplete="one-time-code"
      required
      {...props}
    />
  );
}
