// Logger writing one JSON line per entry to stdout (CloudWatch in Lambda), with secret redaction.
import type { Logger } from '#core/ports/logger.ts';

type Level = 'info' | 'warn' | 'error';

const SECRET_FIELD =
  /^(authorization|x-api-key|x-metrion-token|api_?key|key|secret|password|token|upstreamkey|plaintext)$/i;
/** Provider and Metrion key shapes, masked wherever they appear in a string. */
const SECRET_VALUE = /\b(sk-[A-Za-z0-9_-]{8,}|xai-[A-Za-z0-9]{8,}|AIza[A-Za-z0-9_-]{20,})/g;

function redact(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return value.replace(SECRET_VALUE, '[REDACTED]');
  if (typeof value === 'bigint') return value.toString();
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1));
  return Object.fromEntries(
    Object.entries(value).map(([name, inner]) => [
      name,
      SECRET_FIELD.test(name) ? '[REDACTED]' : redact(inner, depth + 1),
    ]),
  );
}

/** The entry's own keys: a field of the same name is written as `field_<name>` instead. */
const RESERVED_KEYS: ReadonlySet<string> = new Set(['level', 'service', 'time', 'message']);

function renameReserved(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(fields).map(([name, value]) => [
      RESERVED_KEYS.has(name) ? `field_${name}` : name,
      value,
    ]),
  );
}

export interface JsonLoggerOptions {
  readonly service: string;
  /** Where lines go; stdout by default. Tests capture them here. */
  readonly write?: (line: string) => void;
  readonly minimumLevel?: Level;
}

const LEVEL_ORDER: Record<Level, number> = { info: 0, warn: 1, error: 2 };

export class JsonLogger implements Logger {
  readonly #service: string;
  readonly #write: (line: string) => void;
  readonly #minimum: number;

  constructor(options: JsonLoggerOptions) {
    this.#service = options.service;
    this.#write = options.write ?? ((line) => process.stdout.write(`${line}\n`));
    this.#minimum = LEVEL_ORDER[options.minimumLevel ?? 'info'];
  }

  info(message: string, fields?: Record<string, unknown>): void {
    this.#log('info', message, fields);
  }

  warn(message: string, fields?: Record<string, unknown>): void {
    this.#log('warn', message, fields);
  }

  error(message: string, fields?: Record<string, unknown>): void {
    this.#log('error', message, fields);
  }

  #log(level: Level, message: string, fields: Record<string, unknown> | undefined): void {
    if (LEVEL_ORDER[level] < this.#minimum) return;
    const entry = {
      ...(redact(renameReserved(fields ?? {})) as object),
      level,
      service: this.#service,
      time: new Date().toISOString(),
      message: redact(message),
    };
    this.#write(JSON.stringify(entry));
  }
}
