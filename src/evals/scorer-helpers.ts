import type { ScorerResult } from "../core/step-scorer.js";

/** Helpers for chains' scorers (exported by the chain API). */

/** 1 within `limit` words, falling towards 0 as the text runs over (twice the limit scores 0). */
export function wordLimitScore(text: string, limit: number): ScorerResult {
  const words = text.split(/\s+/).filter((word) => word !== "").length;
  if (words <= limit) return 1;
  return { score: Math.max(0, 1 - (words - limit) / limit), note: `${String(words)} words, over the limit of ${String(limit)}` };
}

/** The share of `wanted` found in `found` (1 when nothing is wanted); the note is `what` and the items not found. */
export function coverageScore(wanted: ReadonlyArray<string>, found: ReadonlySet<string>, what: string): ScorerResult {
  if (wanted.length === 0) return 1;
  const missing = wanted.filter((item) => !found.has(item));
  const score = (wanted.length - missing.length) / wanted.length;
  return missing.length === 0 ? score : { score, note: `${what}: ${missing.slice(0, 10).join(", ")}` };
}
