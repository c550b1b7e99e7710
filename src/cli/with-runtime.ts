import { defaultDataDirectory } from "../package-location.js";
import { dirname } from "node:path";
import { parseConfig, type Config } from "../config.js";
import { createRuntime, type Runtime } from "../runtime/compose.js";
import { createLogger } from "../runtime/logger.js";
import type { CliContext } from "./program.js";
import { TerminalNotifier } from "./terminal-notifier.js";

/** Whether a command only reads the database, or also runs chains (and calls the model). */
export type RuntimeUse = "inspect" | "execute";

/** Open the runtime for one command and close it afterwards, whatever happens. */
export async function withRuntime<Result>(
  context: CliContext,
  use: RuntimeUse,
  work: (runtime: Runtime) => Promise<Result>,
  overrides: Partial<Config> = {},
): Promise<Result> {
  const config = { ...parseConfig(context.environment), ...overrides };
  // The CLI speaks in its own sentences; JSON log lines around them only confuse. --verbose or
  // LOG_LEVEL shows them.
  const logger = createLogger(config.logLevel ?? (context.verbose === true ? "info" : "silent"));
  const runtime = await createRuntime(config, {
    mode: "cli",
    // Attached documents go beside the database (data/ by default).
    notifier: new TerminalNotifier(
      context.io.write,
      config.database.kind === "sqlite" ? dirname(config.database.path) : defaultDataDirectory(context.environment),
    ),
    logger,
    // Only commands that call the model need to hear which model answers.
    notice: use === "execute" ? (text) => context.io.writeError(`note: ${text}`) : undefined,
  });
  try {
    return await work(runtime);
  } finally {
    await runtime.close();
  }
}
