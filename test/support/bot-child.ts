import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

/**
 * The bot as `npm start` runs it (`bin/baton-bot.js`), in a child process that a kill test can
 * SIGKILL. It is up when it logs "baton is up" (with the port it listens on).
 */

const BOT = fileURLToPath(new URL("../../bin/baton-bot.js", import.meta.url));
const ROOT = fileURLToPath(new URL("../..", import.meta.url));

export interface BotChild {
  child: ChildProcess;
  port: number;
  /** What the bot logged so far (stderr). */
  log(): string;
  /** SIGKILL, and resolve once the process is gone. */
  kill(): Promise<void>;
  /** SIGTERM (a clean stop), and resolve once the process is gone. */
  stop(): Promise<void>;
}

/**
 * Whether a child can be given a host name of its own (`unshare --uts`, as root): replicas that
 * are "on other hosts" cannot see each other's processes, so a dead one is only noticed when its
 * lease runs out, as across real hosts.
 */
export function canRunOnOwnHost(): boolean {
  const probe = spawnSync("unshare", ["--uts", "true"], { stdio: "ignore" });
  return probe.status === 0;
}

export async function startBotChild(environment: Record<string, string>, options: { hostname?: string } = {}): Promise<BotChild> {
  // `exec` keeps one process: the pid killed is the bot's.
  const [command, args] =
    options.hostname === undefined
      ? [process.execPath, [BOT]]
      : ["unshare", ["--uts", "sh", "-c", 'hostname "$0" && exec "$1" "$2"', options.hostname, process.execPath, BOT]];
  const child = spawn(command, args, {
    cwd: ROOT,
    env: { PATH: process.env["PATH"] ?? "", HOME: process.env["HOME"] ?? "/tmp", PORT: "0", LOG_LEVEL: "info", ...environment },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let log = "";
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    child.stderr?.on("data", (chunk: Buffer) => {
      log += chunk.toString("utf8");
      const line = log.split("\n").find((candidate) => candidate.includes('"baton is up"'));
      if (line) resolve((JSON.parse(line) as { port: number }).port);
    });
    child.once("exit", (code) => reject(new Error(`the bot exited (${String(code)}) before it was up:\n${log}`)));
  });
  const end = async (signal: NodeJS.Signals): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  return { child, port, log: () => log, kill: () => end("SIGKILL"), stop: () => end("SIGTERM") };
}

/** Poll `read` until `done` holds for its value (or `timeoutMs` passes); returns the last value. */
export async function pollUntil<Value>(read: () => Promise<Value>, done: (value: Value) => boolean, timeoutMs = 20_000): Promise<Value> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!done(value) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    value = await read();
  }
  return value;
}
