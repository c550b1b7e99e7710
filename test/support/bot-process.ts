import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

/** `npm start` (bin/baton-bot.js) as a child process, with its stderr (the JSON log) kept. */

const BOT_BIN = fileURLToPath(new URL("../../bin/baton-bot.js", import.meta.url));
const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));

export interface BotProcess {
  stderr(): string;
  /** The exit code, once it exits. */
  exited: Promise<number | null>;
  /** Whether it has exited yet. */
  hasExited(): boolean;
  kill(signal: NodeJS.Signals): void;
  /** The port from the "baton is up" log line, once it is up. */
  waitUntilUp(timeoutMs?: number): Promise<number>;
}

export function startBotProcess(environment: Record<string, string>): BotProcess {
  const child = spawn(process.execPath, [BOT_BIN], {
    cwd: REPO_ROOT,
    env: { PATH: process.env["PATH"] ?? "", HOME: process.env["HOME"] ?? "/tmp", ...environment },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  let done = false;
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  const exited = new Promise<number | null>((resolve) =>
    child.on("exit", (code) => {
      done = true;
      resolve(code);
    }),
  );
  return {
    stderr: () => stderr,
    exited,
    hasExited: () => done,
    kill: (signal) => void child.kill(signal),
    async waitUntilUp(timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const line = stderr.split("\n").find((candidate) => candidate.includes('"msg":"baton is up"'));
        if (line) return (JSON.parse(line) as { port: number }).port;
        if (done || Date.now() > deadline) throw new Error(`the bot did not come up; stderr:\n${stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    },
  };
}
