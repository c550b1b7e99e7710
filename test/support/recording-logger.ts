import type { Logger } from "../../src/core/ports.js";

/** One line a `RecordingLogger` was given. */
export interface LogLine {
  level: "debug" | "info" | "warn" | "error";
  message: string;
  fields: Record<string, unknown>;
}

/** A Logger port that keeps every line, for tests that assert what was logged. */
export interface RecordingLogger {
  logger: Logger;
  lines: LogLine[];
}

export function recordingLogger(): RecordingLogger {
  const lines: LogLine[] = [];
  const record =
    (level: LogLine["level"]) =>
    (fields: Record<string, unknown>, message = ""): void =>
      void lines.push({ level, message, fields });
  return { lines, logger: { debug: record("debug"), info: record("info"), warn: record("warn"), error: record("error") } };
}
