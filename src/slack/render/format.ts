import type { StepUsage } from "../../core/ports.js";

/** Durations, money and token counts, the same way on every card. */

/** `850 ms`, `4.2 s`, `3 min 5 s`, `3 h`, `2 d 4 h`. */
export function duration(milliseconds: number): string {
  const ms = Math.max(0, milliseconds);
  if (ms < 1_000) return `${String(Math.round(ms))} ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)} s`;
  const totalSeconds = Math.round(ms / 1_000);
  const minutes = Math.floor(totalSeconds / 60);
  const withRest = (whole: string, rest: number, unit: string): string => (rest === 0 ? whole : `${whole} ${String(rest)} ${unit}`);
  if (minutes < 60) return withRest(`${String(minutes)} min`, totalSeconds % 60, "s");
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return withRest(`${String(hours)} h`, minutes % 60, "min");
  return withRest(`${String(Math.floor(hours / 24))} d`, hours % 24, "h");
}

/** "in 3 h" or "4 min ago", against the `now` the caller passed. */
export function relative(at: number, now: number): string {
  return at >= now ? `in ${duration(at - now)}` : `${duration(now - at)} ago`;
}

/** Dollars to four places: model calls cost fractions of a cent. */
export function usd(amount: number): string {
  return `$${amount.toFixed(4)}`;
}

/** `1,200`. */
export function count(value: number): string {
  return value.toLocaleString("en-US");
}

/**
 * `1,200 in (800 cached) / 300 out tokens · $0.0004`, or "" for a step that called no model.
 * The cached part shows only when there is one: it is what tells a user their prompt cache
 * works and why the cost is below tokens × price.
 */
export function usageLine(usage: StepUsage): string {
  if (usage.modelCalls === 0 && usage.inputTokens === 0 && usage.outputTokens === 0) return "";
  const cached = usage.cachedInputTokens > 0 ? ` (${count(usage.cachedInputTokens)} cached)` : "";
  return `${count(usage.inputTokens)} in${cached} / ${count(usage.outputTokens)} out tokens · ${usd(usage.costUsd)}`;
}

/** Usages added up. */
export function addUsage(left: StepUsage, right: StepUsage): StepUsage {
  return {
    modelCalls: left.modelCalls + right.modelCalls,
    inputTokens: left.inputTokens + right.inputTokens,
    cachedInputTokens: left.cachedInputTokens + right.cachedInputTokens,
    outputTokens: left.outputTokens + right.outputTokens,
    costUsd: left.costUsd + right.costUsd,
  };
}

export const NO_USAGE: StepUsage = { modelCalls: 0, inputTokens: 0, cachedInputTokens: 0, outputTokens: 0, costUsd: 0 };
