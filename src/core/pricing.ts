import type { ModelPrice } from "./ports.js";

/**
 * List prices in US dollars per million tokens for common models, so `baton show` can put a
 * figure on a run out of the box. Override or extend them with `BATON_PRICES` (a JSON file);
 * a model missing from the table costs 0 and the audit entry says the price was unknown.
 * Cached input is OpenAI's published "cached input" price (its pricing page): what a prompt
 * token served from the prompt cache costs.
 */
export const DEFAULT_PRICES: Readonly<Record<string, ModelPrice>> = {
  "gpt-4o": { inputPerMillion: 2.5, cachedInputPerMillion: 1.25, outputPerMillion: 10 },
  "gpt-4o-mini": { inputPerMillion: 0.15, cachedInputPerMillion: 0.075, outputPerMillion: 0.6 },
  "gpt-4.1": { inputPerMillion: 2, cachedInputPerMillion: 0.5, outputPerMillion: 8 },
  "gpt-4.1-mini": { inputPerMillion: 0.4, cachedInputPerMillion: 0.1, outputPerMillion: 1.6 },
  "gpt-4.1-nano": { inputPerMillion: 0.1, cachedInputPerMillion: 0.025, outputPerMillion: 0.4 },
  "o4-mini": { inputPerMillion: 1.1, cachedInputPerMillion: 0.275, outputPerMillion: 4.4 },
  scripted: { inputPerMillion: 0, cachedInputPerMillion: 0, outputPerMillion: 0 },
};

export type PriceTable = Readonly<Record<string, ModelPrice>>;

export interface Cost {
  usd: number;
  /** False when the model is not in the table (the cost is then 0, not a guess). */
  priced: boolean;
}

/**
 * Look a model up by its exact id, then by the longest table key it starts with, so a dated
 * snapshot such as `gpt-4o-mini-2024-07-18` finds `gpt-4o-mini`.
 */
export function findByModel<Value>(table: Readonly<Record<string, Value>>, model: string): Value | undefined {
  if (Object.hasOwn(table, model)) return table[model];
  let best: string | undefined;
  for (const key of Object.keys(table)) {
    if (model.startsWith(key) && (best === undefined || key.length > best.length)) best = key;
  }
  return best === undefined ? undefined : table[best];
}

/** A model's price (see `findByModel`). */
export function findPrice(table: PriceTable, model: string): ModelPrice | undefined {
  return findByModel(table, model);
}

/**
 * What a call cost: input tokens at the input price, except the cached ones (part of
 * `inputTokens`, as servers report them) at the cached-input price, and output at the output price.
 */
export function costOf(table: PriceTable, model: string, usage: { inputTokens: number; outputTokens: number; cachedInputTokens?: number }): Cost {
  const price = findPrice(table, model);
  if (!price) return { usd: 0, priced: false };
  const cached = Math.min(usage.cachedInputTokens ?? 0, usage.inputTokens);
  const cachedPrice = price.cachedInputPerMillion ?? price.inputPerMillion;
  const usd = ((usage.inputTokens - cached) * price.inputPerMillion + cached * cachedPrice + usage.outputTokens * price.outputPerMillion) / 1_000_000;
  return { usd, priced: true };
}
