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
}

/** A labelled text input with an optional hint: the `.field` block of every form. */
export function FormField({ id, label, value, onValue, hint, ...input }: FormFieldProps) {
  const hintId = hint === undefined ? undefined : `${id}-hint`;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        {...input}
        aria-describedby={hintId}
        value={value}
        onChange={(event) => onValue(event.target.value)}
      />
      {hint !== undefined && (
        <span id={hintId} className="field__hint">
          {hint}
        </span>
      )}
    </div>
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
