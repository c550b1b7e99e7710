import type { Logger } from "./ports.js";

/**
 * A logger that adds `fields` to every line: a run's code logs through one made with its run
 * id (and step id), so each of its lines can be found by run without the caller remembering.
 * Explicit rather than AsyncLocalStorage, which makes every await in the process ~3× dearer
 * on Node 20-22 (measured) — the engine's budget per step is a few dozen awaits.
 */
export function withLogFields(logger: Logger, fields: Readonly<Record<string, unknown>>): Logger {
  return {
    debug: (lineFields, message) => logger.debug({ ...fields, ...lineFields }, message),
    info: (lineFields, message) => logger.info({ ...fields, ...lineFields }, message),
    warn: (lineFields, message) => logger.warn({ ...fields, ...lineFields }, message),
    error: (lineFields, message) => logger.error({ ...fields, ...lineFields }, message),
  };
}
