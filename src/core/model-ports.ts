/**
 * The model port: what the core asks of a chat model (`LlmClient`) and of a tokenizer
 * (`TokenCounter`), re-exported from ports.ts.
 */

export interface ModelMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

export interface ModelRequest {
  model: string;
  messages: ReadonlyArray<ModelMessage>;
  /**
   * The JSON Schema the answer must follow: `schema` in OpenAI's strict subset when `strict`;
   * `fullSchema`, every constraint kept, for the modes that are not strict (see response-schema.ts).
   */
  responseSchema: { name: string; schema: Record<string, unknown>; strict: boolean; fullSchema?: Record<string, unknown>; notStrictReason?: string };
  temperature: number | undefined;
  /** For the whole call, transport retries and their waits included. */
  timeoutMs: number;
  /** Aborting rejects the call at once with the signal's reason; nothing is retried. */
  signal: AbortSignal | undefined;
  /**
   * Which step is asking: for logs, and for the scripted model to pick its answer. `item` is a
   * map step's item (0-based), so a test's model can answer each item with its own recorded answer.
   */
  purpose: { runId: string; chainId: string; stepId: string; attempt: number; item?: number };
}

/**
 * How the answer's JSON shape was asked for, strongest guarantee first: strict structured
 * outputs, non-strict `json_schema`, JSON mode (`json_object`) with the schema in the prompt, or
 * the schema in the prompt alone with the JSON taken out of whatever text comes back.
 */
export type ResponseMode = "json_schema_strict" | "json_schema" | "json_object" | "prompt_only";

/** A response mode the server refused during a call, and the mode asked in next. */
export interface ResponseModeFallback {
  from: ResponseMode;
  to: ResponseMode;
  /** What the server said, for the audit log. */
  serverMessage: string;
}

export interface ModelResponse {
  /** The model that answered, as the server reports it. */
  model: string;
  /** The raw text of the answer, kept even when it is not valid JSON. */
  text: string;
  /** Set when the model declined to answer. */
  refusal: string | null;
  finishReason: string | null;
  /**
   * Tokens as the server counted them. `cachedInputTokens` is the part of `inputTokens` served
   * from the server's prompt cache (OpenAI: `usage.prompt_tokens_details.cached_tokens`), 0 when
   * the server does not say.
   */
  usage: { inputTokens: number; outputTokens: number; cachedInputTokens: number };
  latencyMs: number;
  /** HTTP attempts, counting transport retries. */
  transportAttempts: number;
  /** True when the answer came from the scripted demo model, not a real one. */
  scripted: boolean;
  /** The response mode the server accepted for this call. */
  responseMode: ResponseMode;
  /** The modes the server refused on the way to `responseMode`, during this call (none when it took the first). */
  responseModeFallbacks?: ReadonlyArray<ResponseModeFallback>;
}

/**
 * A chat model. Transport faults (429, 5xx, timeouts, resets) are retried inside the adapter;
 * when it gives up it throws a `BatonError` with code `MODEL_TRANSPORT`.
 */
export interface LlmClient {
  readonly name: string;
  complete(request: ModelRequest): Promise<ModelResponse>;
}

/**
 * Counts tokens the way a model's tokenizer does, so a prompt is fitted to the model's context
 * budget before it is sent. For a model whose tokenizer the adapter does not know it returns
 * an estimate that errs high.
 */
export interface TokenCounter {
  count(text: string, model: string): number;
  /**
   * A number `count(text, model)` never exceeds, found without tokenizing (for a byte-level BPE
   * tokenizer, the text's UTF-8 length: every token covers at least one byte). A prompt whose
   * bound is within its limit fits without being counted.
   */
  atMost(text: string, model: string): number;
}
