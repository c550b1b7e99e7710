import OpenAI, { AzureOpenAI, type ClientOptions } from "openai";
import { BatonError, describeError } from "../core/errors.js";
import type { LlmClient, Logger, ModelRequest, ModelResponse, ResponseMode, ResponseModeFallback } from "../core/ports.js";
import { CallDeadline } from "./call-deadline.js";
import { buildChatRequest, readChatAnswer } from "./chat-completion.js";
import { nextMode, responseFormatRefusal, startingMode } from "./response-modes.js";
import { displayBaseURL, timeoutError, toTransportError, type TransportFailure } from "./transport-error.js";

/** The `fetch` signature the SDK calls. */
export type FetchFunction = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/**
 * Azure OpenAI, through the `openai` package's own `AzureOpenAI` client: the model id of a
 * request is the deployment's name (it goes in the path, `/openai/deployments/{name}/…`), the
 * key travels in an `api-key` header, and every request carries `api-version`.
 */
export interface AzureSettings {
  /** The resource's endpoint, e.g. `https://my-resource.openai.azure.com`. */
  endpoint: string;
  apiVersion: string;
}

export interface OpenAiLlmClientOptions {
  /** Any non-empty value for local servers that ignore it (Ollama, LM Studio, vLLM). */
  apiKey: string;
  /** The API root, e.g. `http://localhost:11434/v1`. Default `https://api.openai.com/v1`. Not with `azure`. */
  baseURL?: string;
  /** Talk to Azure OpenAI instead of an OpenAI-style API root. */
  azure?: AzureSettings;
  /** Retries of transport faults (429, 5xx, 408, 409, timeouts, resets) after the first attempt. Default 4. */
  maxRetries?: number;
  /**
   * The strongest response mode to ask for (default `json_schema`: strict structured outputs
   * when the schema has a strict form). A server that refuses it is asked one mode down.
   */
  responseFormat?: "json_schema" | "json_object" | "prompt_only";
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
 * Ollama, LM Studio, and servers that offer less. Transport faults are retried by the `openai`
 * SDK (exponential backoff with jitter, honouring `Retry-After`); this adapter counts the HTTP
 * attempts, keeps the whole call within `timeoutMs`, and turns the SDK's final error into
 * `MODEL_TRANSPORT` with a fix in the message.
 *
 * A server that refuses how the answer's format is asked for (strict structured outputs it does
 * not support, JSON mode it does not have) is asked the same thing again one mode down (see
 * response-modes.ts); the mode that worked is remembered per model and logged once. It does not
 * parse the answer's JSON: the core does.
 */
export class OpenAiLlmClient implements LlmClient {
  readonly name = "openai";
  readonly #makeClient: (fetch: FetchFunction) => OpenAI;
  readonly #baseURL: string;
  readonly #configuredMode: ResponseMode;
  readonly #fetch: FetchFunction;
  readonly #logger: Logger | undefined;
  /** The mode each model was found to need, for the life of the process. */
  readonly #modeByModel = new Map<string, ResponseMode>();
  /** Model and mode pairs already announced in the log. */
  readonly #announced = new Set<string>();
  /** Schemas whose "not strict" reason was logged already. */
  readonly #loggedNotStrict = new Set<string>();

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
    const azure = options.azure;
    const baseURL = azure === undefined ? (options.baseURL ?? DEFAULT_BASE_URL) : `${azure.endpoint.replace(/\/+$/, "")}/openai`;
    this.#baseURL = displayBaseURL(baseURL);
    this.#configuredMode = options.responseFormat === undefined || options.responseFormat === "json_schema" ? "json_schema_strict" : options.responseFormat;
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
    this.#logger = options.logger;
    // Explicit values, so the SDK does not fill them from OPENAI_* or AZURE_* variables: only main reads the environment.
    const shared = {
      apiKey: options.apiKey,
      organization: null,
      project: null,
      maxRetries,
      // A library must not print to the console of a CLI; its warnings go to our logger, if any.
      logLevel: options.logger === undefined ? ("off" as const) : ("warn" as const),
      ...(options.logger === undefined ? {} : { logger: toSdkLogger(options.logger) }),
    };
    // A client per call, only to give each call its own attempt counter (its fetch); they share the settings.
    this.#makeClient =
      azure === undefined
        ? (fetch) => new OpenAI({ ...shared, baseURL, fetch })
        : (fetch) => new AzureOpenAI({ ...shared, endpoint: azure.endpoint, apiVersion: azure.apiVersion, fetch });
  }

  async complete(request: ModelRequest): Promise<ModelResponse> {
    request.signal?.throwIfAborted();
    this.#noteNotStrict(request);
    const startedAt = performance.now();
    const timeoutMs = Math.min(LONGEST_TIMEOUT_MS, Math.max(1, Math.ceil(request.timeoutMs)));
    let attempts = 0;
    const countingFetch: FetchFunction = (input, init) => {
      attempts += 1;
      return this.#watchAttempt(this.#fetch(input, init), request, attempts);
    };
    const client = this.#makeClient(countingFetch);
    const deadline = new CallDeadline(timeoutMs, request.signal);
    const failure = (): TransportFailure => ({ model: request.model, baseURL: this.#baseURL, attempts, timeoutMs });
    const fallbacks: ResponseModeFallback[] = [];
    let mode = startingMode(this.#configuredMode, this.#modeByModel.get(request.model), request.responseSchema.strict);
    try {
      for (;;) {
        try {
          const completion = client.chat.completions.create(buildChatRequest(request, mode), { timeout: timeoutMs, signal: deadline.signal });
          // `unknown`: a 200 that is not JSON comes back from the SDK as a string, whatever its types say.
          const body: unknown = await deadline.race(completion);
          const answer = readChatAnswer(body, { model: request.model, baseURL: this.#baseURL, attempts });
          this.#announce(request.model, mode, fallbacks);
          return {
            ...answer,
            latencyMs: Math.round(performance.now() - startedAt),
            transportAttempts: attempts,
            scripted: false,
            responseMode: mode,
            ...(fallbacks.length === 0 ? {} : { responseModeFallbacks: fallbacks }),
          };
        } catch (error) {
          const refused = request.signal?.aborted === true || deadline.expired ? undefined : responseFormatRefusal(error);
          const next = nextMode(mode);
          if (refused === undefined || next === undefined) throw error;
          fallbacks.push({ from: mode, to: next, serverMessage: refused });
          mode = next;
          // Kept at once, so calls that start while this one goes on skip the refused mode too.
          this.#modeByModel.set(request.model, startingMode(mode, this.#modeByModel.get(request.model), true));
        }
      }
    } catch (error) {
      // The caller gave up: hand back their abort as is, never as a transport fault to retry.
      if (request.signal?.aborted === true) throw request.signal.reason;
      if (deadline.expired) throw timeoutError(failure(), error);
      throw toTransportError(error, failure());
    } finally {
      deadline.dispose();
    }
  }

  /** The modes each model is known to need, lowest first found: what `baton doctor` reports. */
  get learnedResponseModes(): ReadonlyMap<string, ResponseMode> {
    return this.#modeByModel;
  }

  /** Says once per model and mode which mode a model needed, with what the server said on the way. */
  #announce(model: string, mode: ResponseMode, fallbacks: ReadonlyArray<ResponseModeFallback>): void {
    const key = `${model}\u0000${mode}`;
    if (fallbacks.length === 0 || this.#announced.has(key)) return;
    this.#announced.add(key);
    const first = fallbacks[0];
    this.#logger?.warn(
      {
        model,
        baseURL: this.#baseURL,
        responseMode: mode,
        refused: fallbacks.map((fallback) => ({ mode: fallback.from, serverMessage: fallback.serverMessage })),
      },
      `the model server refused response mode ${first?.from ?? "?"} for model "${model}" (${first?.serverMessage ?? ""}); asking in ${mode} mode from now on. ` +
        "Answers are still checked against the step's schema; set BATON_RESPONSE_FORMAT to start there and skip the refused request.",
    );
  }

  /** A schema with no strict form is sent non-strict: said once per schema, with why. */
  #noteNotStrict(request: ModelRequest): void {
    const { name, strict, notStrictReason } = request.responseSchema;
    if (strict || this.#loggedNotStrict.has(name)) return;
    this.#loggedNotStrict.add(name);
    this.#logger?.warn(
      { schema: name, reason: notStrictReason ?? "not given" },
      `the output schema "${name}" is sent without strict structured outputs: ${notStrictReason ?? "no reason given"}; zod still checks every answer`,
    );
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
