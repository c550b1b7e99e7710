import { findByModel } from "./pricing.js";

/**
 * How many tokens a model reads and writes in one call (its context window), so every prompt
 * is fitted before it is sent instead of being refused by the server (HTTP 400
 * `context_length_exceeded`). Figures are OpenAI's model pages; `BATON_MODEL_CONTEXT_TOKENS`
 * overrides or extends them.
 */
export const DEFAULT_CONTEXT_TOKENS: Readonly<Record<string, number>> = {
  "gpt-4o": 128_000,
  "gpt-4o-mini": 128_000,
  "chatgpt-4o": 128_000,
  "gpt-4.1": 1_047_576,
  "gpt-4.1-mini": 1_047_576,
  "gpt-4.1-nano": 1_047_576,
  "gpt-4-turbo": 128_000,
  "gpt-4": 8_192,
  "gpt-3.5-turbo": 16_385,
  o1: 200_000,
  o3: 200_000,
  "o3-mini": 200_000,
  "o4-mini": 200_000,
};

/**
 * A model this table does not know (a local Ollama, vLLM or LM Studio model): Ollama's
 * documented default context on a machine with less than 24 GiB of VRAM is 4k tokens, and it
 * drops what does not fit silently. Set `BATON_MODEL_CONTEXT_TOKENS` to the server's real figure.
 */
export const UNKNOWN_MODEL_CONTEXT_TOKENS = 4_096;

/** Context windows: the built-in table with the configured entries over it, and one figure for every model when set. */
export interface ContextLimits {
  table: Readonly<Record<string, number>>;
  /** `BATON_MODEL_CONTEXT_TOKENS=<n>`: every model's window. */
  everyModel?: number;
}

export const DEFAULT_CONTEXT_LIMITS: ContextLimits = { table: DEFAULT_CONTEXT_TOKENS };

/** A model's context window; `known` is false when it is the fallback for a model in no table. */
export function contextTokensFor(limits: ContextLimits, model: string): { tokens: number; known: boolean } {
  if (limits.everyModel !== undefined) return { tokens: limits.everyModel, known: true };
  // The same lookup as prices: exact id, then the longest key a dated snapshot starts with.
  const tokens = findByModel(limits.table, model);
  return tokens === undefined ? { tokens: UNKNOWN_MODEL_CONTEXT_TOKENS, known: false } : { tokens, known: true };
}
