import { pino } from "pino";
import type { Logger } from "../core/ports.js";

/**
 * Structured JSON logs on stderr (stdout stays clean for the CLI's output and `--json`).
 * Secrets that could reach a log line are redacted by key.
 */
export function createLogger(level: string, destination: pino.DestinationStream = pino.destination({ dest: 2, sync: true })): Logger {
  return pino(
    {
      level,
      base: { service: "baton" },
      redact: { paths: ["apiKey", "token", "authorization", "*.apiKey", "*.token", "*.authorization", "headers.authorization"], censor: "[redacted]" },
    },
    destination,
  );
}
