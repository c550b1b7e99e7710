import type { ChatCompletionCreateParamsNonStreaming, ChatCompletionMessageParam } from "openai/resources/chat/completions";
import { z } from "zod";
import { BatonError } from "../core/errors.js";
import type { ModelMessage, ModelRequest, ResponseMode } from "../core/ports.js";
import { listIssues, toIssues } from "../core/validation.js";

/**
 * The Chat Completions wire format: the request body built from a `ModelRequest`, and the parts
 * of the answer the adapter reads, checked with zod because they come from outside.
 */

/**
 * The request body for `mode` (see response-modes.ts):
 * - `json_schema_strict`: structured outputs with the schema in OpenAI's strict subset;
 * - `json_schema`: structured outputs, not strict, with the whole schema;
 * - `json_object`: JSON mode, the whole schema spelled out in the system message;
 * - `prompt_only`: no `response_format` at all, the schema in the system message, and the JSON
 *   taken out of whatever text comes back (the core does that).
 * The schema goes after the step's own system prompt and before the run's data, so the part of
 * the prompt that is the same on every call comes first and servers' prefix caching applies.
 */
export function buildChatRequest(request: ModelRequest, mode: ResponseMode): ChatCompletionCreateParamsNonStreaming {
  const { name, schema } = request.responseSchema;
  const fullSchema = request.responseSchema.fullSchema ?? schema;
  const inPrompt = mode === "json_object" || mode === "prompt_only";
  const messages = inPrompt ? withSchemaInstruction(request.messages, request.responseSchema) : request.messages;
  return {
    model: request.model,
    messages: messages.map(toMessageParam),
    ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
    ...(mode === "json_schema_strict" ? { response_format: { type: "json_schema", json_schema: { name, schema, strict: true } } } : {}),
    ...(mode === "json_schema" ? { response_format: { type: "json_schema", json_schema: { name, schema: fullSchema, strict: false } } } : {}),
    ...(mode === "json_object" ? { response_format: { type: "json_object" } } : {}),
  };
}

/**
 * The messages with the schema and an instruction appended to the first system message (a new
 * one leads when there is none). JSON mode only promises syntactically valid JSON, so the model
 * has to read the shape from the prompt; OpenAI also refuses JSON mode unless a message says "JSON".
 */
export function withSchemaInstruction(messages: ReadonlyArray<ModelMessage>, responseSchema: ModelRequest["responseSchema"]): ModelMessage[] {
  const instruction =
    `Answer with only a JSON object that follows this JSON Schema (named "${responseSchema.name}"): ` +
    "no other text and no Markdown code fences.\n" +
    `JSON Schema:\n${JSON.stringify(responseSchema.fullSchema ?? responseSchema.schema)}`;
  const systemIndex = messages.findIndex((message) => message.role === "system");
  if (systemIndex === -1) return [{ role: "system", content: instruction }, ...messages];
  return messages.map((message, index) => (index === systemIndex ? { role: "system", content: `${message.content}\n\n${instruction}` } : message));
}

function toMessageParam(message: ModelMessage): ChatCompletionMessageParam {
  switch (message.role) {
    case "system":
      return { role: "system", content: message.content };
    case "user":
      return { role: "user", content: message.content };
    case "assistant":
      return { role: "assistant", content: message.content };
  }
}

/** The parts of a chat completion the adapter uses; everything else is ignored. */
const chatCompletionSchema = z.object({
  model: z.string().nullish(),
  choices: z.array(
    z.object({
      message: z.object({ content: z.string().nullish(), refusal: z.string().nullish() }),
      finish_reason: z.string().nullish(),
    }),
  ),
  // `prompt_tokens_details.cached_tokens`: the part of the prompt served from OpenAI's prompt cache (chat completion object reference).
  usage: z
    .object({
      prompt_tokens: z.number().nullish(),
      completion_tokens: z.number().nullish(),
      prompt_tokens_details: z.object({ cached_tokens: z.number().nullish() }).nullish(),
    })
    .nullish(),
});

/** The answer as the adapter reports it, before timing and attempts are added. */
export interface ChatAnswer {
  model: string;
  text: string;
  refusal: string | null;
  finishReason: string | null;
  usage: { inputTokens: number; outputTokens: number; cachedInputTokens: number };
}

/**
 * Reads a completion body. Throws `MODEL_TRANSPORT` when it is not a chat completion (a proxy's
 * HTML page, a server that is not OpenAI-compatible) or has no choices. The message content is
 * kept as raw text: whether it is valid JSON is for the core to judge.
 */
export function readChatAnswer(body: unknown, context: { model: string; baseURL: string; attempts: number }): ChatAnswer {
  const details = { model: context.model, status: 200, attempts: context.attempts, baseURL: context.baseURL };
  const parsed = chatCompletionSchema.safeParse(body);
  if (!parsed.success) {
    const preview = typeof body === "string" ? ` It starts with: ${JSON.stringify(body.slice(0, 120))}.` : `\n${listIssues(toIssues(parsed.error))}`;
    throw new BatonError(
      "MODEL_TRANSPORT",
      `The model server at ${context.baseURL} answered HTTP 200, but not with a chat completion.${preview}\n` +
        "Check that OPENAI_BASE_URL points at an OpenAI-compatible API root (usually ending in /v1).",
      details,
    );
  }
  const completion = parsed.data;
  const choice = completion.choices[0];
  if (choice === undefined) {
    throw new BatonError(
      "MODEL_TRANSPORT",
      `The model server at ${context.baseURL} answered without any choices for model "${context.model}". ` +
        "Retry the run; if it keeps happening, check the provider's status or content filter settings.",
      details,
    );
  }
  return {
    model: completion.model ? completion.model : context.model,
    text: choice.message.content ?? "",
    refusal: choice.message.refusal ?? null,
    finishReason: choice.finish_reason ?? null,
    usage: {
      inputTokens: completion.usage?.prompt_tokens ?? 0,
      outputTokens: completion.usage?.completion_tokens ?? 0,
      cachedInputTokens: completion.usage?.prompt_tokens_details?.cached_tokens ?? 0,
    },
  };
}
