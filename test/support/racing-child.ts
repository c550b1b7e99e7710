import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import type { z } from "zod";

/**
 * Processes that race on one database file, started together. The parent spawns each child
 * script with `startRacingChild`, waits until all are `ready`, then sends them all one start
 * time; each child calls `waitForGo()` first, so they begin within a millisecond or so of each
 * other. A child prints its report as the last line of its output (JSON).
 */

const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** In the child: say `ready`, read `go <epoch ms>` from stdin, and sleep until that moment. */
export async function waitForGo(): Promise<void> {
  const lines = createInterface({ input: process.stdin });
  console.log("ready");
  let startAt = Date.now();
  for await (const line of lines) {
    const match = /^go (\d+)$/.exec(line.trim());
    if (match?.[1] !== undefined) {
      startAt = Number(match[1]);
      break;
    }
  }
  lines.close();
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, startAt - Date.now())));
}

export interface RacingChild<Report> {
  ready: Promise<void>;
  /** The child's report (its last line, parsed with the schema) once it exits cleanly. */
  finished: Promise<Report>;
  go(startAt: number): void;
}

/** In the parent: run `script` (a TypeScript file) with `args` under tsx. */
export function startRacingChild<Report>(script: URL, args: ReadonlyArray<string>, report: z.ZodType<Report>): RacingChild<Report> {
  const child = spawn(process.execPath, ["--import", "tsx", fileURLToPath(script), ...args], { cwd: REPO_ROOT, stdio: ["pipe", "pipe", "pipe"] });
  let output = "";
  let errors = "";
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  child.stdout.on("data", (chunk: Buffer) => {
    output += chunk.toString("utf8");
    if (output.includes("ready")) markReady();
  });
  child.stderr.on("data", (chunk: Buffer) => (errors += chunk.toString("utf8")));
  const finished = new Promise<Report>((resolve, reject) => {
    child.on("exit", (code) => {
      if (code !== 0) reject(new Error(`${fileURLToPath(script)} ${args.join(" ")} exited with ${String(code)}\n${errors}`));
      else resolve(report.parse(JSON.parse(output.trim().split("\n").at(-1) ?? "")));
    });
  });
  return { ready, finished, go: (startAt) => void child.stdin.end(`go ${String(startAt)}\n`) };
}
