/**
 * Token counts with a real tokenizer (gpt-tokenizer's o200k_base, the encoding of current OpenAI
 * models), for budgets that must hold in the model: the RFP chain's chunk size. Loaded on first
 * use — the encoding's tables take a moment to load, and most runs never chunk a document.
 * Document text is data: a special token written in it ("<|endoftext|>") is counted as text,
 * not refused.
 */
export async function loadModelTokenCounter(): Promise<(text: string) => number> {
  const { countTokens } = await import("gpt-tokenizer/encoding/o200k_base");
  const asText = { disallowedSpecial: new Set<string>() };
  return (text) => countTokens(text, asText);
}
