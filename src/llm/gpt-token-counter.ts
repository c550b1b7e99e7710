import { countTokens as countCl100k } from "gpt-tokenizer/encoding/cl100k_base";
import { countTokens as countO200k } from "gpt-tokenizer/encoding/o200k_base";
import type { TokenCounter } from "../core/ports.js";

/**
 * Token counts with OpenAI's own encodings (the `gpt-tokenizer` package): `o200k_base` for the
 * gpt-4o, gpt-4.1, gpt-4.5, gpt-5 and o-series families, `cl100k_base` for gpt-4 and
 * gpt-3.5-turbo. A model neither family names (a local Ollama, vLLM or LM Studio model, whose
 * tokenizer is its own) is counted with `o200k_base` plus a quarter: Llama- and Mistral-style
 * tokenizers, with smaller vocabularies, split the same text into more tokens, so the estimate
 * errs high and a prompt that fits by it fits the real one.
 */

const O200K = /^(gpt-4o|chatgpt-4o|gpt-4\.1|gpt-4\.5|gpt-5|o1|o3|o4|gpt-oss)/;
const CL100K = /^(gpt-4|gpt-3\.5|text-embedding-3|text-embedding-ada)/;
const UNKNOWN_TOKENIZER_MARGIN = 1.25;

// Text that spells a special token (`<|endoftext|>`) is plain text to a chat server: count it as such.
const PLAIN = { disallowedSpecial: new Set<string>() };

export type TokenizerChoice = "o200k_base" | "cl100k_base" | "estimate";

/** Which encoding counts `model`'s tokens ("estimate": o200k_base with a margin). */
export function tokenizerFor(model: string): TokenizerChoice {
  // Azure deployments and proxies often prefix the family: "openai/gpt-4o-mini".
  const name = model.toLowerCase().split("/").at(-1) ?? model;
  if (O200K.test(name)) return "o200k_base";
  if (CL100K.test(name)) return "cl100k_base";
  return "estimate";
}

export class GptTokenCounter implements TokenCounter {
  /**
   * Both encodings are byte-level BPE: a text is split into UTF-8 bytes, which merges only ever
   * join, so no text has more tokens than bytes (special tokens are not recognised here, and
   * would cover several bytes each anyway). The estimate's margin applies to its bound too.
   */
  atMost(text: string, model: string): number {
    const bytes = Buffer.byteLength(text, "utf8");
    return tokenizerFor(model) === "estimate" ? Math.ceil(bytes * UNKNOWN_TOKENIZER_MARGIN) : bytes;
  }

  count(text: string, model: string): number {
    if (text === "") return 0;
    switch (tokenizerFor(model)) {
      case "o200k_base":
        return countO200k(text, PLAIN);
      case "cl100k_base":
        return countCl100k(text, PLAIN);
      case "estimate":
        return Math.ceil(countO200k(text, PLAIN) * UNKNOWN_TOKENIZER_MARGIN);
    }
  }
}
