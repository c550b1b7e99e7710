import { pino } from "pino";
import type { Logger } from "../core/ports.js";
import { redactSecrets, redactSecretsIn } from "../core/redact-secrets.js";

/**
 * Structured JSON logs on stderr (stdout stays clean for the CLI's output and `--json`).
 * Secrets that could reach a log line are redacted by key, and by shape in every message and
 * field (an API's error body that echoes a key: see `core/redact-secrets.ts`).
 */
export function createLogger(level: string, destination: pino.DestinationStream = pino.destination({ dest: 2, sync: true })): Logger {
  return pino(
    {
      level,
      base: { service: "baton" },
      formatters: { log: (fields) => redactSecretsIn(fields) },
      hooks: {
        logMethod(parameters, method) {
          method.apply(
            this,
            parameters.map((parameter) => (typeof parameter === "string" ? redactSecrets(parameter) : parameter)) as Parameters<typeof method>,
          );
        },
      },
      redact: { paths: ["apiKey", "token", "authorization", "*.apiKey", "*.token", "*.authorization", "headers.authorization"], censor: "[redacted]" },
    },
    destination,
  );
}
