import type { AlertChannelDto } from '#contracts/alert-channels-api.ts';
import { errorId, FieldError } from '../FormField.tsx';

interface ChannelsFieldProps {
  readonly channels: readonly AlertChannelDto[];
  readonly value: readonly string[];
  readonly onValue: (ids: string[]) => void;
  readonly error?: string | undefined;
}

/** Where a rule sends: the account's email and any webhook or Slack channel, ticked. */
export function ChannelsField({ channels, value, onValue, error }: ChannelsFieldProps) {
  const toggle = (id: string, on: boolean) =>
    onValue(
      on
        ? channels.filter((c) => c.id === id || value.includes(c.id)).map((c) => c.id)
        : value.filter((chosen) => chosen !== id),
    );
  return (
    <fieldset
      className="field fieldset"
      aria-describedby={error === undefined ? undefined : errorId('rule-channels')}
    >
      <legend>Notify</legend>
      <div className="choices">
        {channels.map((channel) => (
          <label key={channel.id} className="choice">
            <input
              type="checkbox"
              checked={value.includes(channel.id)}
              onChange={(event) => toggle(channel.id, event.target.checked)}
            />
            <span>
              {channel.name} <span className="muted">({channel.kind})</span>
            </span>
          </label>
        ))}
      </div>
      <FieldError id="rule-channels" message={error} />
    </fieldset>
  );
}
