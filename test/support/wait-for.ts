import type { ChainStore, RunRecord, RunStatus } from "../../src/core/ports.js";

/** What `probe` finds, polling every 10 ms; fails naming `what` after `timeoutMs`. */
export async function waitUntil<Value>(what: string, probe: () => Promise<Value | undefined>, timeoutMs = 10_000): Promise<Value> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The run once it has `status`. */
export function runWithStatus(store: Pick<ChainStore, "getRun">, runId: string, status: RunStatus, timeoutMs?: number): Promise<RunRecord> {
  return waitUntil(
    `run ${runId} to be ${status}`,
    async () => {
      const run = await store.getRun(runId);
      return run?.status === status ? run : undefined;
    },
    timeoutMs,
  );
}
