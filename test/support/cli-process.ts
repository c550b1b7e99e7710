import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

const BATON_BIN = fileURLToPath(new URL("../../bin/baton.js", import.meta.url));
export const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));

export interface CliProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves when stdout matches, or rejects after `timeoutMs` showing what was printed. */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** The real `baton` command in a child process, as a user would run it. */
export function startCli(args: ReadonlyArray<string>, environment: Record<string, string>): CliProcess {
  const child = spawn(process.execPath, [BATON_BIN, ...args], {
    cwd: REPO_ROOT,
    env: { PATH: process.env["PATH"] ?? "", HOME: process.env["HOME"] ?? "/tmp", LOG_LEVEL: "warn", ...environment },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let out = "";
  let error = "";
  const waiters = new Set<() => void>();
  child.stdout?.on("data", (chunk: Buffer) => {
    out += chunk.toString("utf8");
    for (const waiter of waiters) waiter();
  });
  child.stderr?.on("data", (chunk: Buffer) => (error += chunk.toString("utf8")));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("exit", (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    stdout: () => out,
    stderr: () => error,
    exited,
    waitForOutput(pattern, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          if (pattern.test(out)) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve();
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out waiting for ${String(pattern)}\nstdout:\n${out}\nstderr:\n${error}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
  };
}

/** Run `baton` to completion, with optional standard input. */
export async function runCli(
  args: ReadonlyArray<string>,
  environment: Record<string, string>,
  input = "",
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const process = startCli(args, environment);
  process.child.stdin?.end(input);
  const { code } = await process.exited;
  return { code, stdout: process.stdout(), stderr: process.stderr() };
}
