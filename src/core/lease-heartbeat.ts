import { describeError } from "./errors.js";
import type { ChainStore, Clock, Logger } from "./ports.js";

/**
 * Keeps this process's claims on its running runs alive: while anything executes, every lease it
 * holds is renewed at a third of the lease time, so a live process never loses a run to
 * recovery and a dead one's runs are taken over within one lease.
 */
export class LeaseHeartbeat {
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly options: { store: ChainStore; clock: Clock; owner: string; leaseMs: number; logger: Logger }) {}

  start(): void {
    if (this.#timer) return;
    const { store, clock, owner, leaseMs, logger } = this.options;
    this.#timer = setInterval(
      () => {
        store.renewLeases(owner, clock.now() + leaseMs).catch((error: unknown) => logger.warn({ error: describeError(error) }, "could not renew run leases"));
      },
      Math.max(1_000, Math.floor(leaseMs / 3)),
    );
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
