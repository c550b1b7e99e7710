import { createHash } from "node:crypto";
import { RandomIdGenerator, type IdGenerator } from "@opentelemetry/sdk-trace-base";

/**
 * A run's trace id and its root span's id, derived from the run id: a run that waits days for an
 * approval, across restarts and replicas, stays one trace, and a process that picks it up
 * mid-way parents its spans on the run's root span without having seen it start.
 */
export function runTraceIds(runId: string): { traceId: string; spanId: string } {
  const digest = createHash("sha256").update(`baton-run:${runId}`).digest("hex");
  return { traceId: digest.slice(0, 32), spanId: digest.slice(32, 48) };
}

/**
 * Random ids, except for the span started right after `useNext`: the SDK asks its id generator
 * for a new root span's ids synchronously inside `startSpan`, so setting them just before gives
 * the run's root span its derived ids.
 */
export class RunAwareIdGenerator implements IdGenerator {
  readonly #random = new RandomIdGenerator();
  // The SDK may ask for either id first; the pending pair is dropped once both were given out.
  #next: { traceId: string | undefined; spanId: string | undefined } | undefined;

  useNext(ids: { traceId: string; spanId: string }): void {
    this.#next = { ...ids };
  }

  generateTraceId(): string {
    const id = this.#next?.traceId;
    if (id === undefined || !this.#next) return this.#random.generateTraceId();
    this.#next.traceId = undefined;
    if (this.#next.spanId === undefined) this.#next = undefined;
    return id;
  }

  generateSpanId(): string {
    const id = this.#next?.spanId;
    if (id === undefined || !this.#next) return this.#random.generateSpanId();
    this.#next.spanId = undefined;
    if (this.#next.traceId === undefined) this.#next = undefined;
    return id;
  }
}
