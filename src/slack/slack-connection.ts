import type { Clock } from "../core/ports.js";

/**
 * Whether Slack is reachable now, for `/readyz`. Socket Mode has a live connection to watch;
 * HTTP mode has none (Slack calls us), so there the Web API is asked (`auth.test`) — at most
 * once per `recheckMs` while it answers, and on every probe while it does not, so recovery is
 * seen at once and a healthy bot does not call Slack on every probe.
 */
export interface SlackConnection {
  readonly mode: "socket" | "http";
  isConnected(): Promise<boolean>;
}

/** Socket Mode: the SocketModeClient's own state events (`connected` after Slack's hello). */
export class SocketModeConnection implements SlackConnection {
  readonly mode = "socket" as const;
  #connected = false;

  /** `client`: Slack's SocketModeClient (an eventemitter3 emitter, not Node's). */
  constructor(client: { on(event: string, listener: () => void): unknown }) {
    client.on("connected", () => void (this.#connected = true));
    // "close" is the socket itself closing: the client only says "reconnecting" after waiting
    // out its back-off (5 s and more), and the bot is not connected meanwhile.
    for (const state of ["close", "connecting", "disconnecting", "disconnected", "reconnecting"]) client.on(state, () => void (this.#connected = false));
  }

  isConnected(): Promise<boolean> {
    return Promise.resolve(this.#connected);
  }
}

export interface WebApiConnectionOptions {
  /** Resolves when the Web API answers for this token (auth.test); rejects otherwise. */
  check: () => Promise<unknown>;
  clock: Clock;
  /** How long a good answer is trusted. Default 30 s. */
  recheckMs?: number;
  /** A check slower than this counts as down. Default 3 s (a readiness probe must answer fast). */
  timeoutMs?: number;
}

/** HTTP mode: the Web API answers for our token. */
export class WebApiConnection implements SlackConnection {
  readonly mode = "http" as const;
  readonly #options: WebApiConnectionOptions;
  #goodUntil = Number.NEGATIVE_INFINITY;
  #inFlight: Promise<boolean> | undefined;

  constructor(options: WebApiConnectionOptions) {
    this.#options = options;
  }

  /** Record a good answer obtained elsewhere (start-up's auth.test). */
  markGood(): void {
    this.#goodUntil = this.#options.clock.now() + (this.#options.recheckMs ?? 30_000);
  }

  isConnected(): Promise<boolean> {
    if (this.#options.clock.now() < this.#goodUntil) return Promise.resolve(true);
    // Concurrent probes share one call.
    this.#inFlight ??= this.#probe().finally(() => (this.#inFlight = undefined));
    return this.#inFlight;
  }

  async #probe(): Promise<boolean> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), this.#options.timeoutMs ?? 3_000);
    });
    try {
      const answered = await Promise.race([
        this.#options.check().then(
          () => true,
          () => false,
        ),
        timeout,
      ]);
      if (answered) this.markGood();
      return answered;
    } finally {
      clearTimeout(timer);
    }
  }
}
