// Lock-step for the two PostgreSQL scripts. They share a server with whatever else the machine
// runs, and a commit's cost there can change tenfold within a minute (other work flushing the
// same disk). run.mjs therefore starts both scripts at once, with an IPC channel, and lets them
// run their timed chains in turns of BATCH chains, one script at a time: both sides are
// measured across the same minutes, neither while the other runs. Run alone (no channel), a
// script just runs its chains.

import { performance } from "node:perf_hooks";
import { checkpointServer } from "./postgres-databases.mjs";

/** Chains per turn: a fraction of a second to a few seconds, depending on the engine and the server. */
export const BATCH = 25;

/** The timed phases, in the order the scripts reach them; run.mjs gives turns to the earliest first. */
export const PHASES = ["floor", "a", "a_sync", "pause", "resume"];

const inLockstep = () => typeof process.send === "function" && process.connected;

/** Waits until run.mjs says it is this script's turn (at once without run.mjs). */
export async function turn(phase) {
  if (!inLockstep()) return;
  const go = new Promise((resolve, reject) => {
    const gone = () => reject(new Error("run.mjs went away while this script waited for its turn"));
    process.once("disconnect", gone);
    process.once("message", () => {
      process.off("disconnect", gone);
      resolve();
    });
  });
  process.send({ ready: phase });
  await go;
}

/** Lets go of the channel, so the process can end (run.mjs sees the script finished). */
export function leaveLockstep() {
  if (inLockstep()) process.disconnect();
}

/**
 * Runs `runChain(i)` for i = 0..n-1 and returns the time spent in them, in ms. With a `phase`
 * (a timed phase) the server is checkpointed first, so the phase does not start by paying for
 * earlier writes, and the chains run in turns; without one (warm-up), straight through.
 */
export async function timedChains(n, phase, runChain) {
  if (phase !== undefined) await checkpointServer();
  let spent = 0;
  for (let start = 0; start < n; start += BATCH) {
    if (phase !== undefined) await turn(phase);
    const batchStart = performance.now();
    for (let i = start; i < Math.min(n, start + BATCH); i += 1) await runChain(i);
    spent += performance.now() - batchStart;
  }
  return spent;
}
