import type { RunRetry } from "./ports.js";

const WAITING_FOR: Record<string, string> = { model: "the model", github: "GitHub", service: "a service" };

/**
 * A waiting run in one line, the same on the Slack card and in `baton show`: "waiting for the
 * model — next try 14:03, attempt 4". `formatTime` renders the next try's time for its reader.
 */
export function describeWait(retry: RunRetry, formatTime: (at: number) => string): string {
  const what = WAITING_FOR[retry.waitingFor] ?? retry.waitingFor;
  return `waiting for ${what} — next try ${formatTime(retry.nextAttemptAt)}, attempt ${String(retry.attempt + 1)}`;
}
