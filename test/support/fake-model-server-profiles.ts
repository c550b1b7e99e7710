import { strictSchemaRefusal } from "./openai-strict-schema-rules.js";

/**
 * What a model server refuses in a Chat Completions request, by the kind of server a user runs.
 * Each profile follows that server's published behaviour; a refusal is the status and body that
 * server sends. A fake that accepted anything would let a test pass on a request the real
 * server rejects, which is how every shipped chain came to fail against real servers.
 */
export type ModelServerProfile =
  /**
   * OpenAI's API (https://platform.openai.com/docs/api-reference/chat/create and the
   * structured-outputs guide): strict `json_schema` only within the documented subset, JSON mode
   * only when a message says "JSON", a response format name matching `^[a-zA-Z0-9_-]{1,64}$`.
   */
  | "openai"
  /**
   * A server with JSON mode but no structured outputs, as DeepSeek documents its Chat Completions
   * API (`response_format` type `text` or `json_object`, the prompt must mention "json"); it
   * answers `json_schema` with HTTP 400 "This response_format type is unavailable now".
   */
  | "json-object-only"
  /**
   * A model with neither, as OpenAI answers for models older than JSON mode: HTTP 400
   * "Invalid parameter: 'response_format' of type 'json_object' is not supported with this model."
   */
  | "no-response-format"
  /** A server that ignores `response_format` and answers prose around a fenced JSON block. */
  | "prose";

export interface Refusal {
  status: number;
  body: unknown;
}

type Body = Record<string, unknown>;

const SCHEMA_NAME = /^[a-zA-Z0-9_-]{1,64}$/;
const ROLES = new Set(["system", "developer", "user", "assistant", "tool"]);

function openAiError(message: string, param: string | null, code: string | null = null): Refusal {
  return { status: 400, body: { error: { message, type: "invalid_request_error", param, code } } };
}

function isRecord(value: unknown): value is Body {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function mentionsJson(body: Body): boolean {
  const messages = Array.isArray(body.messages) ? body.messages : [];
  return messages.some((message) => isRecord(message) && typeof message.content === "string" && /json/i.test(message.content));
}

/** What every OpenAI-compatible server checks first: a model and well-formed messages. */
function basicRefusal(body: unknown): Refusal | undefined {
  if (!isRecord(body)) return openAiError("We could not parse the JSON body of your request.", null);
  if (typeof body.model !== "string" || body.model === "") return openAiError("you must provide a model parameter", "model");
  if (!Array.isArray(body.messages) || body.messages.length === 0) {
    return openAiError("[] is too short - 'messages'", "messages", "empty_array");
  }
  for (const [index, message] of body.messages.entries()) {
    if (!isRecord(message) || typeof message.role !== "string" || !ROLES.has(message.role)) {
      return openAiError(`Invalid value for 'messages[${index}].role'.`, `messages[${index}].role`, "invalid_value");
    }
    if (typeof message.content !== "string" && message.role !== "assistant") {
      return openAiError(`Invalid type for 'messages[${index}].content': expected a string.`, `messages[${index}].content`, "invalid_type");
    }
  }
  return undefined;
}

function openAiResponseFormatRefusal(body: Body): Refusal | undefined {
  const format = body.response_format;
  if (format === undefined) return undefined;
  if (!isRecord(format) || !["text", "json_object", "json_schema"].includes(String(format.type))) {
    return openAiError(
      "Invalid value for 'response_format.type': expected one of 'text', 'json_object' or 'json_schema'.",
      "response_format.type",
      "invalid_value",
    );
  }
  if (format.type === "json_object" && !mentionsJson(body)) {
    return openAiError("'messages' must contain the word 'json' in some form, to use 'response_format' of type 'json_object'.", "messages");
  }
  if (format.type !== "json_schema") return undefined;
  const jsonSchema = format.json_schema;
  if (!isRecord(jsonSchema) || typeof jsonSchema.name !== "string")
    return openAiError("Missing required parameter: 'response_format.json_schema.name'.", "response_format.json_schema.name", "missing_required_parameter");
  if (!SCHEMA_NAME.test(jsonSchema.name)) {
    return openAiError(
      `Invalid 'response_format.json_schema.name': string does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]+$'.`,
      "response_format.json_schema.name",
      "invalid_value",
    );
  }
  if (jsonSchema.strict === true) {
    const refusal = strictSchemaRefusal(jsonSchema.name, jsonSchema.schema);
    if (refusal !== undefined) return openAiError(refusal, "response_format");
  }
  return undefined;
}

/** The refusal `profile` gives `body`, or undefined when that server would answer it. */
export function refusalFor(profile: ModelServerProfile, body: unknown): Refusal | undefined {
  const basic = basicRefusal(body);
  if (basic !== undefined || !isRecord(body)) return basic;
  const format = isRecord(body.response_format) ? String(body.response_format.type) : "text";
  switch (profile) {
    case "openai":
      return openAiResponseFormatRefusal(body);
    case "json-object-only":
      if (format === "json_schema")
        return {
          status: 400,
          body: {
            error: { message: "This response_format type is unavailable now", type: "invalid_request_error", param: null, code: "invalid_request_error" },
          },
        };
      if (format === "json_object" && !mentionsJson(body))
        return openAiError("Prompt must contain the word 'json' in some form to use 'response_format' of type 'json_object'.", null, "invalid_request_error");
      return undefined;
    case "no-response-format":
      if (format === "json_schema" || format === "json_object") {
        return openAiError(`Invalid parameter: 'response_format' of type '${format}' is not supported with this model.`, "response_format");
      }
      return undefined;
    case "prose":
      return undefined;
  }
}

/** How `profile` words an answer whose JSON is `content`. */
export function contentFor(profile: ModelServerProfile, content: string): string {
  if (profile !== "prose") return content;
  return `Sure! Here is the JSON you asked for:\n\n\`\`\`json\n${content}\n\`\`\`\n\nLet me know if you would like any changes.`;
}
