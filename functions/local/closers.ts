/**
 * What a starting local Metrion has opened so far, closed in reverse order: on `close()`, and
 * when a later step fails (a port in use must not leave dynalite or cognito-local running).
 */
export class Closers {
  readonly #closers: (() => Promise<void> | void)[] = [];

  /** Registers a closer; it runs before every closer registered earlier. */
  add(close: () => Promise<void> | void): void {
    this.#closers.push(close);
  }

  /** Runs every closer, newest first, even when one fails; then throws the first failure. */
  async closeAll(): Promise<void> {
    const failures: unknown[] = [];
    for (const close of this.#closers.splice(0).reverse()) {
      try {
        await close();
      } catch (error) {
        failures.push(error);
      }
    }
    if (failures.length > 0) throw failures[0];
  }
}
