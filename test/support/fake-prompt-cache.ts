import { encode } from "gpt-tokenizer/encoding/o200k_base";
import type { FakeUsage } from "./fake-openai-server.js";

/**
 * OpenAI's prompt caching as its guide ("Prompt caching") documents it, for the fake server's
 * usage: caching is automatic for prompts of 1,024 tokens or more; a request reuses the longest
 * prefix it shares with an earlier request to the same model, counted in 128-token increments
 * from 1,024 (1,024, 1,152, 1,280, …); the structured-output schema is part of the prefix,
 * ahead of the messages. `usage.prompt_tokens_details.cached_tokens` reports the hit. Tokens are
 * counted with o200k_base, gpt-4o's encoding.
 */

const MINIMUM_CACHED_TOKENS = 1_024;
const INCREMENT_TOKENS = 128;
// Text that spells a special token is plain text in a chat message.
const PLAIN = { disallowedSpecial: new Set<string>() };

type ChatBody = { model?: string; messages?: Array<{ role: string; content: string }>; response_format?: { json_schema?: { schema?: unknown } } };

/** A request's prompt as the token sequence the cache compares: schema, then each message. */
export function promptTokensOf(body: unknown): number[] {
  const chat = body as ChatBody;
  const schema = chat.response_format?.json_schema?.schema;
  const parts = [...(schema === undefined ? [] : [JSON.stringify(schema)]), ...(chat.messages ?? []).map((message) => `${message.role}\n${message.content}`)];
  return parts.flatMap((part) => encode(part, PLAIN));
}

function sharedPrefix(left: ReadonlyArray<number>, right: ReadonlyArray<number>): number {
  const length = Math.min(left.length, right.length);
  let index = 0;
  while (index < length && left[index] === right[index]) index += 1;
  return index;
}

export class FakePromptCache {
  readonly #seen = new Map<string, number[][]>();

  /** Usage for a request: its prompt tokens, what the cache served, and `completionTokens`. */
  usageFor(body: unknown, completionTokens: number): FakeUsage {
    const model = (body as ChatBody).model ?? "";
    const tokens = promptTokensOf(body);
    const earlier = this.#seen.get(model) ?? [];
    const longest = earlier.reduce((best, previous) => Math.max(best, sharedPrefix(previous, tokens)), 0);
    const cached =
      longest < MINIMUM_CACHED_TOKENS ? 0 : MINIMUM_CACHED_TOKENS + Math.floor((longest - MINIMUM_CACHED_TOKENS) / INCREMENT_TOKENS) * INCREMENT_TOKENS;
    if (tokens.length >= MINIMUM_CACHED_TOKENS) this.#seen.set(model, [...earlier, tokens]);
    return { prompt_tokens: tokens.length, completion_tokens: completionTokens, prompt_tokens_details: { cached_tokens: cached } };
  }
}
