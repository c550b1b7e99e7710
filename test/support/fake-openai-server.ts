import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

/**
 * A fake OpenAI-compatible server on loopback, speaking the Chat Completions HTTP API, so tests
 * drive the real `openai` client through real HTTP: retries, timeouts and resets included.
 * Point the client at `${server.url}/v1`.
 */

export interface FakeUsage {
  prompt_tokens: number;
  completion_tokens: number;
  /** The part of the prompt served from the prompt cache (OpenAI's chat completion object; see fake-prompt-cache.ts). */
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
  /** Stops the server and cuts hanging connections. */
  close(): Promise<void>;
}

const COMPLETION_PATHS = new Set(["/v1/chat/completions", "/chat/completions"]);

const noScriptedReply = (): FakeReply => ({
  kind: "status",
  status: 500,
  headers: { "x-should-retry": "false" },
  body: { error: { message: "fake OpenAI server: no scripted reply left for this request", type: "test_setup", code: null } },
});

export async function startFakeOpenAiServer(): Promise<FakeOpenAiServer> {
  const requests: RecordedRequest[] = [];
  const queue: FakeReply[] = [];
  const sockets = new Set<Socket>();
  let fallback: (body: unknown) => FakeReply = noScriptedReply;
  let completionCount = 0;

  const server = createServer((request, response) => {
    void readBody(request).then((text) => {
      const body = parseJson(text);
      const path = (request.url ?? "/").split("?")[0] ?? "/";
      requests.push({ method: request.method ?? "GET", path, headers: request.headers, body, receivedAt: Date.now() });
      if (request.method !== "POST" || !COMPLETION_PATHS.has(path)) {
        sendJson(response, 404, { error: { message: `fake OpenAI server: no route for ${request.method} ${path}`, type: "invalid_request_error", code: "unknown_url" } });
        return;
      }
      completionCount += 1;
      answer(queue.shift() ?? fallback(body), body, request, response, `chatcmpl-fake${completionCount}`);
    }, () => {
      // The client went away mid-body (an abort); there is nobody left to answer.
    });
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
    enqueue: (...replies) => void queue.push(...replies),
    setFallback: (reply) => {
      fallback = reply;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Hanging requests would keep `close` waiting for ever; cut them.
        for (const socket of sockets) socket.destroy();
      }),
  };
}

function answer(reply: FakeReply, body: unknown, request: IncomingMessage, response: ServerResponse, id: string): void {
  const requestedModel = isRecord(body) && typeof body.model === "string" ? body.model : "fake-model";
  switch (reply.kind) {
    case "json":
    case "text": {
      const content = reply.kind === "json" ? JSON.stringify(reply.value) : reply.text;
      const usage = reply.usage ?? { prompt_tokens: 11, completion_tokens: Math.ceil(content.length / 4) };
      sendJson(response, 200, completion(id, reply.model ?? requestedModel, { content, refusal: null }, reply.finishReason ?? "stop", usage));
      return;
    }
    case "refusal":
      sendJson(response, 200, completion(id, requestedModel, { content: null, refusal: reply.refusal }, "stop", { prompt_tokens: 11, completion_tokens: 7 }));
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

function completion(id: string, model: string, message: { content: string | null; refusal: string | null }, finishReason: string, usage: FakeUsage): unknown {
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
