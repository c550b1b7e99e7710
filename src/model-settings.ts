import { readFileSync } from "node:fs";
import { z } from "zod";
import { DEFAULT_CONTEXT_TOKENS, type ContextLimits } from "./core/context-budget.js";
import { BatonError, describeError } from "./core/errors.js";
import { DEFAULT_PRICES, type PriceTable } from "./core/pricing.js";
import { formatPath } from "./core/validation.js";

/**
 * The two model settings read from configuration that need more than a schema: the price file
 * (`BATON_PRICES`) and the context windows (`BATON_MODEL_CONTEXT_TOKENS`). config.ts calls them.
 */

const PriceFileSchema = z.record(
  z.string(),
  z.object({
    inputPerMillion: z.number().nonnegative(),
    outputPerMillion: z.number().nonnegative(),
    cachedInputPerMillion: z.number().nonnegative().optional(),
  }),
);

/** The smallest window worth configuring: below it no shipped step's instructions fit. */
const MIN_CONTEXT_TOKENS = 1_024;
const CONTEXT_FORMAT = "Write a whole number of tokens for every model (32768), or model=tokens pairs separated by commas (llama3.1=131072,qwen2.5=32768).";

function contextTokensOf(text: string, model: string | undefined): number {
  const tokens = /^\d+$/.test(text.trim()) ? Number(text.trim()) : Number.NaN;
  if (!Number.isSafeInteger(tokens) || tokens < MIN_CONTEXT_TOKENS) {
    throw new BatonError(
      "CONFIG_INVALID",
      `BATON_MODEL_CONTEXT_TOKENS is invalid: "${text.trim()}"${model === undefined ? "" : ` for ${model}`} is not a whole number of at least ${String(MIN_CONTEXT_TOKENS)} tokens. ${CONTEXT_FORMAT}`,
      { variable: "BATON_MODEL_CONTEXT_TOKENS" },
    );
  }
  return tokens;
}

/** `BATON_MODEL_CONTEXT_TOKENS`: one figure for every model, or per-model figures over the built-in table. */
export function parseContextLimits(text: string | undefined): ContextLimits {
  if (text === undefined) return { table: DEFAULT_CONTEXT_TOKENS };
  if (!text.includes("=")) return { table: DEFAULT_CONTEXT_TOKENS, everyModel: contextTokensOf(text, undefined) };
  const entries = text
    .split(",")
    .map((pair) => pair.trim())
    .filter((pair) => pair !== "")
    .map((pair) => {
      const at = pair.lastIndexOf("=");
      const model = pair.slice(0, at).trim();
      if (at <= 0 || model === "")
        throw new BatonError("CONFIG_INVALID", `BATON_MODEL_CONTEXT_TOKENS is invalid: "${pair}" names no model. ${CONTEXT_FORMAT}`, {
          variable: "BATON_MODEL_CONTEXT_TOKENS",
        });
      return [model, contextTokensOf(pair.slice(at + 1), model)] as const;
    });
  return { table: { ...DEFAULT_CONTEXT_TOKENS, ...Object.fromEntries(entries) } };
}

export function loadPrices(path: string | undefined): PriceTable {
  if (path === undefined) return DEFAULT_PRICES;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8")) as unknown;
  } catch (error) {
    throw new BatonError(
      "CONFIG_INVALID",
      `BATON_PRICES points at ${path}, which could not be read as JSON (${describeError(error)}). Fix the file or unset BATON_PRICES.`,
      {
        variable: "BATON_PRICES",
      },
    );
  }
  const parsed = PriceFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new BatonError(
      "CONFIG_INVALID",
      `BATON_PRICES file ${path} is not a price table: ${issue ? `${formatPath(issue.path)}: ${issue.message}` : "unknown problem"}. Write {"model-id": {"inputPerMillion": 0.15, "cachedInputPerMillion": 0.075, "outputPerMillion": 0.6}}.`,
      { variable: "BATON_PRICES" },
    );
  }
  return { ...DEFAULT_PRICES, ...parsed.data };
}
