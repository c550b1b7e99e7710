import type { ModelPrice } from "./ports.js";

/**
 * List prices in US dollars per million tokens for common models, so `baton show` can put a
 * figure on a run out of the box. Override or extend them with `BATON_PRICES` (a JSON file);
 * a model missing from the table costs 0 and the audit entry says the price was unknown.
 */
export const DEFAULT_PRICES: Readonly<Record<string, ModelPrice>> = {
  "gpt-4o": { inputPerMillion: 2.5, outputPerMillion: 10 },
  "gpt-4o-mini": { inputPerMillion: 0.15, outputPerMillion: 0.6 },
  "gpt-4.1": { inputPerMillion: 2, outputPerMillion: 8 },
  "gpt-4.1-mini": { inputPerMillion: 0.4, outputPerMillion: 1.6 },
  "gpt-4.1-nano": { inputPerMillion: 0.1, outputPerMillion: 0.4 },
  "o4-mini": { inputPerMillion: 1.1, outputPerMillion: 4.4 },
  scripted: { inputPerMillion: 0, outputPerMillion: 0 },
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
export function findPrice(table: PriceTable, model: string): ModelPrice | undefined {
  const exact = table[model];
  if (exact) return exact;
  let best: string | undefined;
  for (const key of Object.keys(table)) {
    if (model.startsWith(key) && (best === undefined || key.length > best.length)) best = key;
  }
  return best === undefined ? undefined : table[best];
}

export function costOf(table: PriceTable, model: string, usage: { inputTokens: number; outputTokens: number }): Cost {
  const price = findPrice(table, model);
  if (!price) return { usd: 0, priced: false };
  const usd = (usage.inputTokens * price.inputPerMillion + usage.outputTokens * price.outputPerMillion) / 1_000_000;
  return { usd, priced: true };
}
