// A parse cache for dynalite's condition expressions (ConditionExpression, KeyConditionExpression,
// FilterExpression). dynalite parses them with a generated PEG parser that backtracks without
// memoizing, so its cost grows steeply with nesting: the proxy's admission condition (three
// levels of parentheses) took it 10-40 ms per request, most of local mode's added latency.
// DynamoDB itself parses it in microseconds. Runs on the dynalite thread (dynalite-worker.ts):
// node builtins only.

/** dynalite's `db/conditionParser` module (PEG.js output). */
export interface ConditionParser {
  parse(input: string, options: { context: ParseContext }): unknown;
}

/** What dynalite's `validations/index.js` passes to the parser. */
export interface ParseContext {
  attrNames?: Readonly<Record<string, string>>;
  attrVals?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** Placeholders not used yet: the parser deletes each one it resolves. */
  unusedAttrNames: Record<string, boolean>;
  unusedAttrVals: Record<string, boolean>;
  [other: string]: unknown;
}

/** A parse done once, with stand-ins for the values, to be re-bound to each request's values. */
interface Template {
  readonly result: unknown;
  /** Stand-in value object -> its placeholder (`:v1`). */
  readonly standIns: ReadonlyMap<object, string>;
  readonly usedNames: readonly string[];
  readonly usedValues: readonly string[];
}

/**
 * Only these read a value beyond its type (BETWEEN compares its bounds, attribute_type checks
 * its type name); every other check of the grammar depends on the expression, the attribute
 * names and the value types alone, so one parse serves every request that shares them.
 */
const READS_VALUES = /between|attribute_type/i;
const DEFAULT_MAX_ENTRIES = 1000;

/**
 * Replaces `parser.parse` (in place: dynalite holds the module object) with a cached version.
 * A hit gives a fresh copy of the remembered result bound to this request's value objects, and
 * marks the same placeholders used, so dynalite sees exactly what a fresh parse would give it.
 */
export function cacheConditionParses(
  parser: ConditionParser,
  maxEntries = DEFAULT_MAX_ENTRIES,
): void {
  const parse = parser.parse.bind(parser);
  const templates = new Map<string, Template>();
  parser.parse = (input, options) => {
    const { context } = options;
    if (READS_VALUES.test(input)) return parse(input, options);
    const key = cacheKey(input, context);
    let template = templates.get(key);
    if (template === undefined) {
      template = parseTemplate(parse, input, context);
      templates.set(key, template);
      if (templates.size > maxEntries) templates.delete(templates.keys().next().value as string);
    }
    return instantiate(template, context);
  };
}

function cacheKey(input: string, context: ParseContext): string {
  const valueTypes = Object.entries(context.attrVals ?? {}).map(([placeholder, value]) => [
    placeholder,
    Object.keys(value),
  ]);
  return JSON.stringify([input, context.attrNames ?? null, valueTypes]);
}

/** Parses with a copy of each value object, remembering which placeholders the parse used. */
function parseTemplate(
  parse: ConditionParser['parse'],
  input: string,
  context: ParseContext,
): Template {
  const standIns = new Map<object, string>();
  const attrVals: Record<string, Record<string, unknown>> = {};
  for (const [placeholder, value] of Object.entries(context.attrVals ?? {})) {
    const standIn = { ...value };
    standIns.set(standIn, placeholder);
    attrVals[placeholder] = standIn;
  }
  const scratch: ParseContext = {
    ...context,
    attrVals: context.attrVals === undefined ? undefined : attrVals,
    unusedAttrNames: { ...context.unusedAttrNames },
    unusedAttrVals: { ...context.unusedAttrVals },
  };
  const result = parse(input, { context: scratch });
  const used = (before: object, after: object) =>
    Object.keys(before).filter((placeholder) => !Object.hasOwn(after, placeholder));
  return {
    result,
    standIns,
    usedNames: used(context.unusedAttrNames, scratch.unusedAttrNames),
    usedValues: used(context.unusedAttrVals, scratch.unusedAttrVals),
  };
}

function instantiate(template: Template, context: ParseContext): unknown {
  for (const placeholder of template.usedNames) delete context.unusedAttrNames[placeholder];
  for (const placeholder of template.usedValues) delete context.unusedAttrVals[placeholder];
  const values = context.attrVals ?? {};
  const copy = (node: unknown): unknown => {
    if (typeof node !== 'object' || node === null) return node;
    const placeholder = template.standIns.get(node);
    if (placeholder !== undefined) return values[placeholder];
    if (Array.isArray(node)) return node.map(copy);
    // Keeps the prototype: dynalite builds some maps with Object.create(null).
    const fresh = Object.create(Object.getPrototypeOf(node)) as Record<string, unknown>;
    for (const [name, child] of Object.entries(node)) fresh[name] = copy(child);
    return fresh;
  };
  return copy(template.result);
}
