// The bot as `npm start` runs it (same node flags, read from package.json), in a child process,
// for the benchmarks that load it from outside.

import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

/** The flags between `node` and the script in package.json's `start`, e.g. --max-semi-space-size=4. */
function startFlags(): string[] {
  const start = (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { scripts: { start: string } }).scripts.start;
  return start.split(" ").filter((word) => word.startsWith("--"));
}

export interface BotProcess {
  pid: number;
  port: number;
  /** VmRSS or VmHWM (peak) of the bot, in MiB. */
  rssMib(field: "VmRSS" | "VmHWM"): number;
  stop(): Promise<void>;
}

/** Start the bot with `environment` (PORT=0 is added); BOT_NODE_ARGS adds node flags (e.g. --cpu-prof). */
export async function startBotProcess(environment: Record<string, string>): Promise<BotProcess> {
  const extra = (process.env["BOT_NODE_ARGS"] ?? "").split(" ").filter((argument) => argument !== "");
  const child = spawn(process.execPath, [...startFlags(), ...extra, join(root, "bin", "baton-bot.js")], {
    cwd: root,
    env: { PATH: process.env["PATH"] ?? "", HOME: process.env["HOME"] ?? "/tmp", PORT: "0", LOG_LEVEL: "info", ...environment },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let log = "";
  child.stderr.on("data", (chunk: Buffer) => (log += chunk.toString("utf8")));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setInterval(() => {
      const line = log.split("\n").find((candidate) => candidate.includes('"baton is up"'));
      if (line) {
        clearInterval(timer);
        resolve((JSON.parse(line) as { port: number }).port);
      }
    }, 20);
    child.on("exit", (code) => {
      clearInterval(timer);
      reject(new Error(`the bot exited (${String(code)}) before it was up:\n${log}`));
    });
  });
  const pid = child.pid ?? 0;
  return {
    pid,
    port,
    rssMib: (field) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${String(pid)}/status`, "utf8"))?.[1] ?? Number.NaN) / 1024,
    stop: () =>
      new Promise<void>((resolve) => {
        child.on("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}
