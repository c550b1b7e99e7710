import type { Logger } from "./ports.js";

/**
 * A logger that adds `fields` to every line: a run's code logs through one made with its run
 * id (and step id), so each of its lines can be found by run without the caller remembering.
 * Explicit rather than AsyncLocalStorage, which makes every await in the process dearer on
 * Node 20-22 (docs/benchmarks.md) — and the engine awaits a few dozen times per step.
 */
export function withLogFields(logger: Logger, fields: Readonly<Record<string, unknown>>): Logger {
  return {
    debug: (lineFields, message) => logger.debug({ ...fields, ...lineFields }, message),
    info: (lineFields, message) => logger.info({ ...fields, ...lineFields }, message),
    warn: (lineFields, message) => logger.warn({ ...fields, ...lineFields }, message),
    error: (lineFields, message) => logger.error({ ...fields, ...lineFields }, message),
  };
}

/** The run (and step) an event payload is about, as log fields. */
export function runFieldsOf(payload: unknown): Record<string, unknown> {
  if (typeof payload !== "object" || payload === null) return {};
  const fields: Record<string, unknown> = {};
  for (const key of ["runId", "chainId", "stepId"] as const) {
    if (key in payload) fields[key] = (payload as Record<string, unknown>)[key];
  }
  return fields;
}
