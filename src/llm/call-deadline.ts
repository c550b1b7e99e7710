/**
 * One model call's time budget: a signal that aborts when the caller aborts or when `timeoutMs`
 * has passed since the call began, retries and their waits included.
 *
 * The SDK's own `timeout` is per HTTP attempt and stops at the response headers, and its sleep
 * before a retry does not watch any signal (a `Retry-After: 600` sleeps ten minutes), so the
 * adapter races the call against this deadline to honour the step's `timeoutMs` as a whole.
 */
export class CallDeadline {
  readonly signal: AbortSignal;
  readonly #controller = new AbortController();
  readonly #callerSignal: AbortSignal | undefined;
  readonly #timer: NodeJS.Timeout;
  readonly #forwardCallerAbort = (): void => this.#controller.abort(this.#callerSignal?.reason);
  #expired = false;

  constructor(timeoutMs: number, callerSignal: AbortSignal | undefined) {
    this.signal = this.#controller.signal;
    this.#callerSignal = callerSignal;
    if (callerSignal?.aborted === true) this.#forwardCallerAbort();
    else callerSignal?.addEventListener("abort", this.#forwardCallerAbort, { once: true });
    this.#timer = setTimeout(() => {
      this.#expired = true;
      this.#controller.abort(new Error(`timed out after ${timeoutMs} ms`));
    }, timeoutMs);
  }

  /** True when the budget ran out (and not because the caller aborted first). */
  get expired(): boolean {
    return this.#expired && this.#callerSignal?.aborted !== true;
  }

  /** True when the caller's own signal aborted. */
  get callerAborted(): boolean {
    return this.#callerSignal?.aborted === true;
  }

  /** Settles like `work`, or rejects with the abort reason as soon as the signal aborts. */
  race<Result>(work: Promise<Result>): Promise<Result> {
    // `work` may still reject after we have moved on; that rejection is expected and handled here.
    work.catch(() => undefined);
    return new Promise<Result>((resolve, reject) => {
      const onAbort = (): void => reject(this.signal.reason);
      if (this.signal.aborted) return onAbort();
      this.signal.addEventListener("abort", onAbort, { once: true });
      work.then(resolve, reject).finally(() => this.signal.removeEventListener("abort", onAbort));
    });
  }

  /** Stops the timer and lets go of the caller's signal. */
  dispose(): void {
    clearTimeout(this.#timer);
    this.#callerSignal?.removeEventListener("abort", this.#forwardCallerAbort);
  }
}
