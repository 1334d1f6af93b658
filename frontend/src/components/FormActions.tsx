/** A create-or-edit form's submit and Cancel buttons, both held while the form saves. */
export function FormActions({
  busy,
  submitLabel,
  onCancel,
}: {
  readonly busy: boolean;
  readonly submitLabel: string;
  readonly onCancel: () => void;
}) {
  return (
    <div className="button-row">
      <button type="submit" className="button" disabled={busy}>
        {busy ? 'Saving…' : submitLabel}
      </button>
      <button type="button" className="button button--secondary" onClick={onCancel} disabled={busy}>
        Cancel
      </button>
    </div>
  );
}
