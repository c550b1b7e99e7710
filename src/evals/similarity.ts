/**
 * How close an answer is to the reference answer, 0 to 1, compared field by field: strings by
 * the overlap of their words, numbers by their relative difference, lists by pairing each
 * reference item with its closest answer item (order does not matter), objects key by key.
 * Crude on purpose: it is stable, needs no model, and moves when an answer drifts from what
 * people accepted.
 */

const words = (text: string): Set<string> => new Set(text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []);

function stringSimilarity(left: string, right: string): number {
  if (left === right) return 1;
  const leftWords = words(left);
  const rightWords = words(right);
  if (leftWords.size === 0 && rightWords.size === 0) return 1;
  let shared = 0;
  for (const word of leftWords) if (rightWords.has(word)) shared += 1;
  return shared / (leftWords.size + rightWords.size - shared);
}

function numberSimilarity(left: number, right: number): number {
  if (left === right) return 1;
  const scale = Math.max(Math.abs(left), Math.abs(right));
  return scale === 0 ? 1 : Math.max(0, 1 - Math.abs(left - right) / scale);
}

function listSimilarity(answer: ReadonlyArray<unknown>, reference: ReadonlyArray<unknown>): number {
  if (answer.length === 0 && reference.length === 0) return 1;
  const unused = new Set(answer.map((_, index) => index));
  let total = 0;
  for (const item of reference) {
    let best = 0;
    let bestIndex = -1;
    for (const index of unused) {
      const score = similarity(answer[index], item);
      if (score > best) {
        best = score;
        bestIndex = index;
      }
    }
    if (bestIndex >= 0) unused.delete(bestIndex);
    total += best;
  }
  // Extra answer items count against it as much as missing ones.
  return total / Math.max(answer.length, reference.length);
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/** 0 (nothing alike) to 1 (the same), for any two JSON values. */
export function similarity(answer: unknown, reference: unknown): number {
  if (typeof answer === "string" && typeof reference === "string") return stringSimilarity(answer, reference);
  if (typeof answer === "number" && typeof reference === "number") return numberSimilarity(answer, reference);
  if (Array.isArray(answer) && Array.isArray(reference)) return listSimilarity(answer, reference);
  if (isRecord(answer) && isRecord(reference)) {
    const scores = Object.values(fieldSimilarity(answer, reference));
    return scores.length === 0 ? 1 : scores.reduce((sum, score) => sum + score, 0) / scores.length;
  }
  return answer === reference || (answer == null && reference == null) ? 1 : 0;
}

/** Similarity per top-level field, over the fields either side has. */
export function fieldSimilarity(answer: Record<string, unknown>, reference: Record<string, unknown>): Record<string, number> {
  const fields: Record<string, number> = {};
  for (const key of new Set([...Object.keys(reference), ...Object.keys(answer)])) fields[key] = similarity(answer[key], reference[key]);
  return fields;
}
