// Stripe's form encoding (`a[b][0][c]=v`), as the `stripe` SDK sends request parameters.

export type Params = { [key: string]: string | Params };

/** Form fields into nested objects (arrays stay objects keyed by index). */
export function parseForm(body: string): Params {
  const root: Params = {};
  for (const [rawKey, value] of new URLSearchParams(body)) {
    const path = rawKey.split(/\[|\]\[|\]/).filter((part) => part !== '');
    let node = root;
    path.forEach((part, index) => {
      if (index === path.length - 1) {
        node[part] = value;
      } else {
        const existing = node[part];
        const child: Params = typeof existing === 'object' ? existing : {};
        node[part] = child;
        node = child;
      }
    });
  }
  return root;
}

/** A string parameter, or null. */
export const str = (value: Params[string] | undefined): string | null =>
  typeof value === 'string' ? value : null;

/** A `metadata[...]`-style parameter as a flat record of strings. */
export const record = (value: Params[string] | undefined): Record<string, string> =>
  typeof value === 'object'
    ? Object.fromEntries(
        Object.entries(value).filter(
          (entry): entry is [string, string] => typeof entry[1] === 'string',
        ),
      )
    : {};
