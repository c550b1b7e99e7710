import { parseBotConfig } from "./bot-config.js";
import { parseConfig } from "./config.js";
import { describeError, isBatonError } from "./core/errors.js";
import { startBot } from "./runtime/start-bot.js";
import { createLogger } from "./runtime/logger.js";
import { installProcessFailureHandlers } from "./runtime/process-failures.js";

/**
 * `npm start`: the Slack bot. With `src/cli/main.ts`, the only place that reads the
 * environment. A configuration problem stops start-up with its code and the fix, exit code 1.
 */
async function main(): Promise<void> {
  const environment = { ...process.env };
  let logger = createLogger("info");
  try {
    const config = parseConfig(environment);
    const botConfig = parseBotConfig(environment);
    logger = createLogger(config.logLevel ?? "info");
    installProcessFailureHandlers(logger);
    const bot = await startBot({ config, botConfig, logger });
    logger.info({ port: bot.port, mode: botConfig.slackAppToken ? "socket" : "http", scripted: bot.scripted, chains: bot.chainIds }, "baton is up");
    let stopping = false;
    const stop = (signal: string): void => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, "stopping: in-flight steps are handed back and repeat at the next start");
      bot.stop().then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error({ error: describeError(error) }, "could not stop cleanly");
          process.exit(1);
        },
      );
    };
    process.once("SIGINT", () => stop("SIGINT"));
    process.once("SIGTERM", () => stop("SIGTERM"));
  } catch (error) {
    if (isBatonError(error)) {
      process.stderr.write(`baton could not start [${error.code}]: ${error.message}\n`);
      process.exit(1);
    }
    process.stderr.write(
      `baton crashed at start-up: ${error instanceof Error ? (error.stack ?? error.message) : describeError(error)}\nThis is a bug; please report it.\n`,
    );
    process.exit(70);
  }
}

await main();
