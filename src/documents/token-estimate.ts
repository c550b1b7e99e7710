/**
 * A cheap token estimate for English and Markdown: about four characters per token, the rule
 * of thumb for GPT-style tokenizers on prose. It errs high on text with long words and low on
 * dense numbers, which is fine for sizing chunks with room to spare; no tokenizer is loaded.
 */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}
