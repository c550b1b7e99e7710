import { APIError } from "openai";
import type { ResponseMode } from "../core/ports.js";

/**
 * The ladder of ways to ask a server for JSON, strongest guarantee first. A server that refuses
 * one (HTTP 400 about `response_format` or the schema) is asked again one rung down; the rung
 * that worked is remembered per model for the life of the process.
 */
export const RESPONSE_MODES: ReadonlyArray<ResponseMode> = ["json_schema_strict", "json_schema", "json_object", "prompt_only"];

/** Where a call starts: the configured mode, or the rung a model was found to need, whichever is lower; never strict for a schema that has no strict form. */
export function startingMode(configured: ResponseMode, remembered: ResponseMode | undefined, strictSchema: boolean): ResponseMode {
  let mode = lower(configured, remembered ?? configured);
  if (mode === "json_schema_strict" && !strictSchema) mode = "json_schema";
  return mode;
}

export function nextMode(mode: ResponseMode): ResponseMode | undefined {
  return RESPONSE_MODES[RESPONSE_MODES.indexOf(mode) + 1];
}

function lower(first: ResponseMode, second: ResponseMode): ResponseMode {
  return RESPONSE_MODES.indexOf(first) >= RESPONSE_MODES.indexOf(second) ? first : second;
}

/**
 * The server's message when `error` is a refusal of how the answer's format was asked for,
 * not of anything else in the request: a 400 (or 422, which some servers use for a body they
 * cannot deserialise) whose error names `response_format` as its parameter, or whose message is
 * about `response_format`, `json_schema`, JSON mode or the schema. Examples, as servers send them:
 * OpenAI `Invalid schema for response_format 'x': In context=(), 'minLength' is not permitted.`
 * and `Invalid parameter: 'response_format' of type 'json_object' is not supported with this model.`;
 * DeepSeek `This response_format type is unavailable now`. A 400 about anything else (a prompt
 * over the context window, a bad message) is not: asking in another mode would not help.
 */
export function responseFormatRefusal(error: unknown): string | undefined {
  if (!(error instanceof APIError) || (error.status !== 400 && error.status !== 422)) return undefined;
  const param = typeof error.param === "string" ? error.param : "";
  const message = serverMessage(error);
  if (param.startsWith("response_format")) return message;
  if (/response_format|json_schema|json_object|json mode|structured output|schema/i.test(message)) return message;
  return undefined;
}

function serverMessage(error: APIError): string {
  const body: unknown = error.error;
  if (typeof body === "object" && body !== null && "message" in body && typeof body.message === "string") return body.message;
  if (typeof body === "string") return body;
  return error.message;
}
