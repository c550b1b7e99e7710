import OpenAI, { type ClientOptions } from "openai";
import { BatonError, describeError } from "../core/errors.js";
import type { LlmClient, Logger, ModelRequest, ModelResponse } from "../core/ports.js";
import { CallDeadline } from "./call-deadline.js";
import { buildChatRequest, readChatAnswer, type ResponseFormatMode } from "./chat-completion.js";
import { displayBaseURL, timeoutError, toTransportError, type TransportFailure } from "./transport-error.js";

/** The `fetch` signature the SDK calls. */
export type FetchFunction = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

export interface OpenAiLlmClientOptions {
  /** Any non-empty value for local servers that ignore it (Ollama, LM Studio, vLLM). */
  apiKey: string;
  /** The API root, e.g. `http://localhost:11434/v1`. Default `https://api.openai.com/v1`. */
  baseURL?: string;
  /** Retries of transport faults (429, 5xx, 408, 409, timeouts, resets) after the first attempt. Default 4. */
  maxRetries?: number;
  /** Default `json_schema`; `json_object` for servers without structured outputs. */
  responseFormat?: ResponseFormatMode;
  logger?: Logger;
  /** Replaces the global `fetch` (tests, proxies). */
  fetch?: FetchFunction;
}

const DEFAULT_BASE_URL = "https://api.openai.com/v1";
const DEFAULT_MAX_RETRIES = 4;
/** setTimeout's ceiling; a longer timer fires at once. */
const LONGEST_TIMEOUT_MS = 2_147_483_647;

/**
 * A chat model behind the OpenAI Chat Completions API: OpenAI itself, Azure OpenAI, vLLM,
 * Ollama, LM Studio. Transport faults are retried by the `openai` SDK (exponential backoff with
 * jitter, honouring `Retry-After`); this adapter counts the HTTP attempts, keeps the whole call
 * within `timeoutMs`, and turns the SDK's final error into `MODEL_TRANSPORT` with a fix in the
 * message. It does not parse the answer's JSON: the core does.
 */
export class OpenAiLlmClient implements LlmClient {
  readonly name = "openai";
  readonly #client: OpenAI;
  readonly #baseURL: string;
  readonly #responseFormat: ResponseFormatMode;
  readonly #fetch: FetchFunction;
  readonly #logger: Logger | undefined;

  constructor(options: OpenAiLlmClientOptions) {
    if (options.apiKey.trim() === "") {
      throw new BatonError(
        "MODEL_NOT_CONFIGURED",
        "The OpenAI API key is empty. Set OPENAI_API_KEY (any non-empty value for a local server that does not check keys).",
      );
    }
    const maxRetries = options.maxRetries ?? DEFAULT_MAX_RETRIES;
    if (!Number.isInteger(maxRetries) || maxRetries < 0) {
      throw new BatonError("CONFIG_INVALID", `maxRetries must be a whole number of at least 0, not ${maxRetries}.`, { maxRetries });
    }
    const baseURL = options.baseURL ?? DEFAULT_BASE_URL;
    this.#baseURL = displayBaseURL(baseURL);
    this.#responseFormat = options.responseFormat ?? "json_schema";
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
    this.#logger = options.logger;
    this.#client = new OpenAI({
      apiKey: options.apiKey,
      // Explicit values, so the SDK does not fill them from OPENAI_* variables: only main reads the environment.
      baseURL,
      organization: null,
      project: null,
      maxRetries,
      // A library must not print to the console of a CLI; its warnings go to our logger, if any.
      logLevel: options.logger === undefined ? "off" : "warn",
      ...(options.logger === undefined ? {} : { logger: toSdkLogger(options.logger) }),
    });
  }

  async complete(request: ModelRequest): Promise<ModelResponse> {
    request.signal?.throwIfAborted();
    const startedAt = performance.now();
    const timeoutMs = Math.min(LONGEST_TIMEOUT_MS, Math.max(1, Math.ceil(request.timeoutMs)));
    let attempts = 0;
    const countingFetch: FetchFunction = (input, init) => {
      attempts += 1;
      return this.#watchAttempt(this.#fetch(input, init), request, attempts);
    };
    // A client per call only to give this call its own attempt counter; it shares the settings.
    const client = this.#client.withOptions({ fetch: countingFetch });
    const deadline = new CallDeadline(timeoutMs, request.signal);
    const failure = (): TransportFailure => ({ model: request.model, baseURL: this.#baseURL, attempts, timeoutMs });
    try {
      const completion = client.chat.completions.create(buildChatRequest(request, this.#responseFormat), {
        timeout: timeoutMs,
        signal: deadline.signal,
      });
      // `unknown`: a 200 that is not JSON comes back from the SDK as a string, whatever its types say.
      const body: unknown = await deadline.race(completion);
      const answer = readChatAnswer(body, { model: request.model, baseURL: this.#baseURL, attempts });
      return { ...answer, latencyMs: Math.round(performance.now() - startedAt), transportAttempts: attempts, scripted: false, responseMode: this.#responseFormat === "json_object" ? "json_object" : request.responseSchema.strict ? "json_schema_strict" : "json_schema" };
    } catch (error) {
      // The caller gave up: hand back their abort as is, never as a transport fault to retry.
      if (request.signal?.aborted === true) throw request.signal.reason;
      if (deadline.expired) throw timeoutError(failure(), error);
      throw toTransportError(error, failure());
    } finally {
      deadline.dispose();
    }
  }

  /** Logs attempts that failed; the SDK decides whether to retry them. */
  async #watchAttempt(pending: Promise<Response>, request: ModelRequest, attempt: number): Promise<Response> {
    const { runId, chainId, stepId } = request.purpose;
    const fields = { model: request.model, runId, chainId, stepId, modelAttempt: request.purpose.attempt, httpAttempt: attempt };
    try {
      const response = await pending;
      if (!response.ok) {
        const retryAfter = response.headers.get("retry-after-ms") ?? response.headers.get("retry-after");
        this.#logger?.warn({ ...fields, status: response.status, retryAfter }, `model server answered HTTP ${response.status}`);
      }
      return response;
    } catch (error) {
      if (request.signal?.aborted !== true) {
        this.#logger?.warn({ ...fields, error: describeError(error) }, "model request failed before an answer");
      }
      throw error;
    }
  }
}

function toSdkLogger(logger: Logger): NonNullable<ClientOptions["logger"]> {
  const fieldsOf = (rest: unknown[]): Record<string, unknown> => ({ source: "openai-sdk", ...(rest.length > 0 ? { details: rest } : {}) });
  return {
    error: (message, ...rest) => logger.error(fieldsOf(rest), message),
    warn: (message, ...rest) => logger.warn(fieldsOf(rest), message),
    info: (message, ...rest) => logger.info(fieldsOf(rest), message),
    debug: (message, ...rest) => logger.debug(fieldsOf(rest), message),
  };
}
