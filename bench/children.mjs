// The workload scripts as child processes of run.mjs: one at a time, or (the PostgreSQL pair)
// at once in lock-step (lockstep.mjs).

import { spawn } from "node:child_process";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { PHASES } from "./lockstep.mjs";

const here = dirname(fileURLToPath(import.meta.url));

/**
 * Start one workload script; its summary lines are echoed with a prefix, its last line is the
 * JSON `result` resolves to. With `lockstep`, it gets an IPC channel, and `next()` resolves to
 * the phase it waits to run next (lockstep.mjs), or null once it has ended.
 */
export function startChild({ label, args }, engine, passThrough, { lockstep = false } = {}) {
  const child = spawn(process.execPath, [...args, ...passThrough], { cwd: here, stdio: ["ignore", "pipe", "inherit", ...(lockstep ? ["ipc"] : [])] });
  const waiting = [];
  let wake;
  const push = (phase) => {
    if (wake) {
      const resolveNext = wake;
      wake = undefined;
      resolveNext(phase);
    } else waiting.push(phase);
  };
  child.on("message", (message) => push(message.ready));
  const result = new Promise((resolvePromise, reject) => {
    let stdout = "";
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
    });
    child.on("error", reject);
    child.on("close", (code) => {
      push(null);
      const lines = stdout.trimEnd().split("\n");
      if (code !== 0) return reject(new Error(`${label} workload exited with ${code}:\n${stdout}`));
      for (const summaryLine of lines.slice(0, -1)) console.log(`  [${engine}] ${summaryLine}`);
      try {
        resolvePromise(JSON.parse(lines.at(-1)));
      } catch (error) {
        reject(new Error(`${label} workload printed no JSON last line: ${error.message}`));
      }
    });
  });
  const next = () => (waiting.length > 0 ? Promise.resolve(waiting.shift()) : new Promise((resolveNext) => (wake = resolveNext)));
  return { engine, child, result, next };
}

/**
 * Run the scripts at once, in lock-step: each timed batch of chains runs while the others
 * wait (lockstep.mjs). Turns go to the scripts at the earliest phase, in the given order, one
 * batch each; untimed work (warm-up aside) also happens inside a script's turn.
 */
export async function startInLockstep(scripts, passThrough) {
  const sides = scripts.map(([script, engine]) => startChild(script, engine, passThrough, { lockstep: true }));
  const state = await Promise.all(sides.map(async (side) => ({ side, phase: await side.next() })));
  let turns = 0;
  for (;;) {
    const active = state.filter((entry) => entry.phase !== null);
    if (active.length === 0) break;
    const earliest = Math.min(...active.map((entry) => PHASES.indexOf(entry.phase)));
    const candidates = active.filter((entry) => PHASES.indexOf(entry.phase) === earliest);
    const entry = candidates[turns % candidates.length];
    turns += 1;
    entry.side.child.send({ go: true });
    entry.phase = await entry.side.next();
  }
  return Object.fromEntries(await Promise.all(sides.map(async (side) => [side.engine, await side.result])));
}
