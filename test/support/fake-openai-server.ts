import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { contentFor, type ModelServerProfile, refusalFor } from "./fake-model-server-profiles.js";

/**
 * A fake OpenAI-compatible server on loopback, speaking the Chat Completions HTTP API, so tests
 * drive the real `openai` client through real HTTP: retries, timeouts and resets included.
 * Point the client at `${server.url}/v1` (or, as Azure OpenAI, at `server.url` as the endpoint).
 *
 * It refuses what the server it stands for refuses (`profile`, see fake-model-server-profiles.ts)
 * before any scripted reply is used: a request the real server would reject never gets an answer.
 */

export interface FakeOpenAiServerOptions {
  /** Which kind of server to behave as. Default `openai`. */
  profile?: ModelServerProfile;
  /** When set, requests must carry this key (`Authorization: Bearer`, or `api-key` for Azure). */
  apiKey?: string;
  /**
   * Serve Azure OpenAI's routes instead of OpenAI's: `POST /openai/deployments/{deployment}/chat/completions?api-version=…`
   * with the key in an `api-key` header (Azure OpenAI REST API reference,
   * https://learn.microsoft.com/azure/ai-services/openai/reference).
   */
  azure?: { deployments: ReadonlyArray<string>; apiVersions: ReadonlyArray<string> };
}

export interface FakeUsage {
  prompt_tokens: number;
  completion_tokens: number;
  /**
   * The part of the prompt served from the prompt cache, a part of `prompt_tokens` (OpenAI's chat
   * completion object, https://platform.openai.com/docs/api-reference/chat/object; see
   * fake-prompt-cache.ts). The openai profile always sends it, 0 when nothing was cached.
   */
  prompt_tokens_details?: { cached_tokens: number };
}

/** What the server does with the next request. */
export type FakeReply =
  /** A completion whose content is `JSON.stringify(value)`. */
  | { kind: "json"; value: unknown; usage?: FakeUsage; model?: string; finishReason?: string }
  /** A completion whose content is `text` as is (malformed JSON, prose). */
  | { kind: "text"; text: string; usage?: FakeUsage; model?: string; finishReason?: string }
  /** The model declines: content null, refusal set. */
  | { kind: "refusal"; refusal: string }
  /** Any status with any body: 429 with `retry-after`, 500, 401, or a 200 that is not a completion. */
  | { kind: "status"; status: number; headers?: Record<string, string>; body?: unknown }
  /** Never answers, until the client gives up or the server closes. */
  | { kind: "hang" }
  /** Destroys the socket without a response. */
  | { kind: "reset" };

export interface RecordedRequest {
  method: string;
  path: string;
  /** The query string's parameters. */
  query: URLSearchParams;
  /** The status the fake answered with (0 while it has not answered, or for a reset or hang). */
  status: number;
  headers: IncomingHttpHeaders;
  /** The parsed JSON body (the raw text when it is not JSON). */
  body: unknown;
  /** `Date.now()` when the request arrived, to measure waits between retries. */
  receivedAt: number;
}

export interface FakeOpenAiServer {
  /** `http://127.0.0.1:<port>`, without `/v1`. */
  readonly url: string;
  /** Every request received, in order. */
  readonly requests: RecordedRequest[];
  /** Replies for the next requests, in order. */
  enqueue(...replies: FakeReply[]): void;
  /** The reply when the queue is empty (default: a 500 saying no reply was scripted). */
  setFallback(reply: (body: unknown) => FakeReply): void;
  /** The models `GET /v1/models/{model}` knows; undefined (the default): every model exists. */
  setModels(models: ReadonlyArray<string> | undefined): void;
  /** The one API key the Models API accepts; undefined (the default): any key. */
  setApiKey(key: string | undefined): void;
  /** Stops the server and cuts hanging connections. */
  close(): Promise<void>;
}

const COMPLETION_PATHS = new Set(["/v1/chat/completions", "/chat/completions"]);
const AZURE_COMPLETION_PATH = /^\/openai\/deployments\/([^/]+)\/chat\/completions$/;

const noScriptedReply = (): FakeReply => ({
  kind: "status",
  status: 500,
  headers: { "x-should-retry": "false" },
  body: { error: { message: "fake OpenAI server: no scripted reply left for this request", type: "test_setup", code: null } },
});

export async function startFakeOpenAiServer(options: FakeOpenAiServerOptions = {}): Promise<FakeOpenAiServer> {
  const profile = options.profile ?? "openai";
  const requests: RecordedRequest[] = [];
  const queue: FakeReply[] = [];
  const sockets = new Set<Socket>();
  let fallback: (body: unknown) => FakeReply = noScriptedReply;
  let completionCount = 0;
  const modelsRoute: ModelsRouteState = { models: undefined, apiKey: options.apiKey };

  const server = createServer((request, response) => {
    void readBody(request).then(
      (text) => {
        const body = parseJson(text);
        const url = new URL(request.url ?? "/", "http://fake");
        const recorded: RecordedRequest = {
          method: request.method ?? "GET",
          path: url.pathname,
          query: url.searchParams,
          status: 0,
          headers: request.headers,
          body,
          receivedAt: Date.now(),
        };
        requests.push(recorded);
        response.on("finish", () => {
          recorded.status = response.statusCode;
        });
        if (options.azure === undefined && answerModelsRoute(request, response, url.pathname, modelsRoute)) return;
        const refused = routeRefusal(options, modelsRoute.apiKey, request, url) ?? refusalFor(profile, body);
        if (refused !== undefined) {
          sendJson(response, refused.status, refused.body);
          return;
        }
        completionCount += 1;
        const reply = queue.shift() ?? fallback(body);
        answer(scriptingMistake(reply, profile) ?? reply, body, request, response, `chatcmpl-fake${completionCount}`, profile);
      },
      () => {
        // The client went away mid-body (an abort); there is nobody left to answer.
      },
    );
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    enqueue: (...replies) => {
      for (const reply of replies) checkUsage(reply, profile);
      queue.push(...replies);
    },
    setFallback: (reply) => {
      fallback = reply;
    },
    setModels: (models) => void (modelsRoute.models = models),
    setApiKey: (key) => void (modelsRoute.apiKey = key),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Hanging requests would keep `close` waiting for ever; cut them.
        for (const socket of sockets) socket.destroy();
      }),
  };
}

/**
 * A wrong route or key, as the real service answers it: OpenAI's 404 `unknown_url` and 401
 * `invalid_api_key`; Azure's 401 for a bad `api-key`, 404 `DeploymentNotFound` for an unknown
 * deployment and 404 "Resource not found" without a supported `api-version`.
 */
function routeRefusal(
  options: FakeOpenAiServerOptions,
  apiKey: string | undefined,
  request: IncomingMessage,
  url: URL,
): { status: number; body: unknown } | undefined {
  const method = request.method ?? "GET";
  if (options.azure !== undefined) {
    const deployment = AZURE_COMPLETION_PATH.exec(url.pathname)?.[1];
    const apiVersion = url.searchParams.get("api-version");
    if (method !== "POST" || deployment === undefined || apiVersion === null || !options.azure.apiVersions.includes(apiVersion)) {
      return { status: 404, body: { error: { code: "404", message: "Resource not found" } } };
    }
    if (apiKey !== undefined && request.headers["api-key"] !== apiKey) {
      return {
        status: 401,
        body: {
          error: {
            code: "401",
            message:
              "Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.",
          },
        },
      };
    }
    if (!options.azure.deployments.includes(decodeURIComponent(deployment))) {
      return {
        status: 404,
        body: {
          error: {
            code: "DeploymentNotFound",
            message:
              "The API deployment for this resource does not exist. If you created the deployment within the last 5 minutes, please wait a moment and try again.",
          },
        },
      };
    }
    return undefined;
  }
  if (method !== "POST" || !COMPLETION_PATHS.has(url.pathname)) {
    return {
      status: 404,
      body: { error: { message: `Invalid URL (${method} ${url.pathname})`, type: "invalid_request_error", param: null, code: "unknown_url" } },
    };
  }
  if (apiKey !== undefined && request.headers.authorization !== `Bearer ${apiKey}`) {
    return {
      status: 401,
      body: {
        error: {
          message: "Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.",
          type: "invalid_request_error",
          param: null,
          code: "invalid_api_key",
        },
      },
    };
  }
  return undefined;
}

interface ModelsRouteState {
  models: ReadonlyArray<string> | undefined;
  apiKey: string | undefined;
}

/**
 * The Models API (OpenAI API reference → Models: "List models" `GET /v1/models`, "Retrieve model"
 * `GET /v1/models/{model}`): the model object `{ id, object: "model", created, owned_by }`; a key
 * it does not accept gets 401 `invalid_api_key` ("Incorrect API key provided: …"), an unknown
 * model 404 `model_not_found` ("The model '…' does not exist"), as the real API answers.
 * Returns false for any other route.
 */
function answerModelsRoute(request: IncomingMessage, response: ServerResponse, path: string, state: ModelsRouteState): boolean {
  const match = /^(?:\/v1)?\/models(?:\/(.+))?$/.exec(path);
  if (request.method !== "GET" || !match) return false;
  const key = /^Bearer (.*)$/.exec(String(request.headers.authorization ?? ""))?.[1] ?? "";
  if (state.apiKey !== undefined && key !== state.apiKey) {
    const shown = key.length > 8 ? `${key.slice(0, 3)}${"*".repeat(key.length - 7)}${key.slice(-4)}` : key;
    sendJson(response, 401, {
      error: {
        message: `Incorrect API key provided: ${shown}. You can find your API key at https://platform.openai.com/account/api-keys.`,
        type: "invalid_request_error",
        param: null,
        code: "invalid_api_key",
      },
    });
    return true;
  }
  const modelObject = (id: string): unknown => ({ id, object: "model", created: 1_715_367_049, owned_by: "system" });
  const requested = match[1] === undefined ? undefined : decodeURIComponent(match[1]);
  if (requested === undefined) {
    sendJson(response, 200, { object: "list", data: (state.models ?? []).map(modelObject) });
    return true;
  }
  if (state.models !== undefined && !state.models.includes(requested)) {
    sendJson(response, 404, {
      error: { message: `The model '${requested}' does not exist`, type: "invalid_request_error", param: "model", code: "model_not_found" },
    });
    return true;
  }
  sendJson(response, 200, modelObject(requested));
  return true;
}

function answer(reply: FakeReply, body: unknown, request: IncomingMessage, response: ServerResponse, id: string, profile: ModelServerProfile): void {
  const requestedModel = isRecord(body) && typeof body.model === "string" ? body.model : "fake-model";
  switch (reply.kind) {
    case "json":
    case "text": {
      const content = reply.kind === "json" ? contentFor(profile, JSON.stringify(reply.value)) : reply.text;
      const usage = reply.usage ?? { prompt_tokens: 11, completion_tokens: Math.ceil(content.length / 4) };
      sendJson(response, 200, completion(id, reply.model ?? requestedModel, { content, refusal: null }, reply.finishReason ?? "stop", usage, profile));
      return;
    }
    case "refusal":
      sendJson(
        response,
        200,
        completion(id, requestedModel, { content: null, refusal: reply.refusal }, "stop", { prompt_tokens: 11, completion_tokens: 7 }, profile),
      );
      return;
    case "status": {
      const errorBody = reply.body ?? { error: { message: `fake OpenAI server: scripted HTTP ${reply.status}`, type: "server_error", code: null } };
      if (typeof errorBody === "string") {
        response.writeHead(reply.status, { "content-type": "text/html", ...reply.headers });
        response.end(errorBody);
      } else {
        sendJson(response, reply.status, errorBody, reply.headers);
      }
      return;
    }
    case "hang":
      // Answer nothing; the socket stays open until the client aborts or `close()` cuts it.
      return;
    case "reset":
      request.socket.destroy();
      return;
  }
}

/**
 * A scripted usage the real server never reports is a mistake in the test, not an answer: the
 * cached part is a part of the prompt, and OpenAI caches from 1,024 tokens in 128-token steps
 * (prompt caching guide, https://platform.openai.com/docs/guides/prompt-caching).
 */
function checkUsage(reply: FakeReply, profile: ModelServerProfile): void {
  if ((reply.kind !== "json" && reply.kind !== "text") || reply.usage?.prompt_tokens_details === undefined) return;
  const { prompt_tokens: prompt, prompt_tokens_details: details } = reply.usage;
  const cached = details.cached_tokens;
  if (!Number.isInteger(cached) || cached < 0 || cached > prompt) {
    throw new Error(`fake OpenAI server: cached_tokens ${String(cached)} is not a part of prompt_tokens ${String(prompt)}; no server reports that.`);
  }
  if (profile === "openai" && cached > 0 && (cached < 1_024 || (cached - 1_024) % 128 !== 0)) {
    throw new Error(`fake OpenAI server: OpenAI caches 1,024 tokens or more in steps of 128, never ${String(cached)}; script 0, 1024, 1152, …`);
  }
}

/** A fallback's impossible usage, answered as a 500 the client does not retry, so the test fails saying why. */
function scriptingMistake(reply: FakeReply, profile: ModelServerProfile): FakeReply | undefined {
  try {
    checkUsage(reply, profile);
    return undefined;
  } catch (error) {
    return {
      kind: "status",
      status: 500,
      headers: { "x-should-retry": "false" },
      body: { error: { message: (error as Error).message, type: "test_setup", code: null } },
    };
  }
}

function completion(
  id: string,
  model: string,
  message: { content: string | null; refusal: string | null },
  finishReason: string,
  scripted: FakeUsage,
  profile: ModelServerProfile,
): unknown {
  // OpenAI reports the cached part on every completion, 0 for a prompt it did not cache.
  const usage = profile === "openai" ? { prompt_tokens_details: { cached_tokens: 0 }, ...scripted } : scripted;
  return {
    id,
    object: "chat.completion",
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{ index: 0, message: { role: "assistant", ...message, annotations: [] }, logprobs: null, finish_reason: finishReason }],
    usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens },
    service_tier: "default",
    system_fingerprint: "fp_fake",
  };
}

function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { "content-type": "application/json", "x-request-id": `req_fake_${Date.now()}`, ...headers });
  response.end(JSON.stringify(body));
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString("utf8");
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
