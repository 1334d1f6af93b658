// Builds one UpdateItem's expressions, naming every attribute and value once (no SDK calls).

/** Placeholders for attribute names (`#a0`) and values (`:v1`) of one expression. */
export class Expression {
  readonly names: Record<string, string> = {};
  readonly values: Record<string, unknown> = {};
  #next = 0;

  name(attribute: string): string {
    const placeholder = `#a${this.#next++}`;
    this.names[placeholder] = attribute;
    return placeholder;
  }

  value(value: unknown): string {
    const placeholder = `:v${this.#next++}`;
    this.values[placeholder] = value;
    return placeholder;
  }
}

/** A condition that never holds on an existing item (`pk` always exists). */
export const NEVER = 'attribute_not_exists(pk)';
