// The dashboard API as a browser calls it: one route table (`API_ROUTES`), every answer checked
// against its schema, errors reported with their code and message.
import { API_ROUTES, type ApiResponse, type ApiRouteName } from '#contracts/api-routes.ts';

/** A smoke step failed: printed as its one line. */
export class SmokeStepError extends Error {
  override readonly name = 'SmokeStepError';
}

export interface DashboardCall {
  /** Values for the route's `{name}` path parameters. */
  readonly params?: Readonly<Record<string, string>>;
  readonly body?: unknown;
}

export class DashboardClient {
  readonly #url: string;
  readonly #idToken: string | undefined;

  constructor(url: string, idToken?: string) {
    this.#url = url;
    this.#idToken = idToken;
  }

  /** The same client, signed in with a Cognito ID token. */
  signedIn(idToken: string): DashboardClient {
    return new DashboardClient(this.#url, idToken);
  }

  async call<K extends ApiRouteName>(name: K, call: DashboardCall = {}): Promise<ApiResponse<K>> {
    const answer = await this.send(name, call);
    if (answer.status >= 300) {
      const error = (answer.json as { error?: { code?: string; message?: string } }).error;
      throw new SmokeStepError(
        `${name} answered ${answer.status} ${error?.code ?? ''}: ${error?.message ?? answer.text}`,
      );
    }
    return API_ROUTES[name].response.parse(answer.json) as ApiResponse<K>;
  }

  /** The raw answer, for calls whose failure is part of the check (a 404 while polling). */
  async send(
    name: ApiRouteName,
    call: DashboardCall = {},
  ): Promise<{ status: number; text: string; json: unknown }> {
    const route = API_ROUTES[name];
    const path = route.path.replace(/\{(\w+)\}/g, (_, param: string) =>
      encodeURIComponent(call.params?.[param] ?? ''),
    );
    const response = await fetch(`${this.#url}${path}`, {
      method: route.method,
      // fetch would send an undefined header value as the text "undefined": leave absent ones out.
      headers: {
        ...(call.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(this.#idToken === undefined ? {} : { authorization: `Bearer ${this.#idToken}` }),
      },
      body: call.body === undefined ? undefined : JSON.stringify(call.body),
    });
    const text = await response.text();
    const json: unknown = text === '' ? undefined : JSON.parse(text);
    return { status: response.status, text, json };
  }
}
