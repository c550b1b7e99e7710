import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { type BatonError, isBatonError } from "../../src/core/errors.js";
import type { Logger } from "../../src/core/ports.js";
import { toResponseSchema } from "../../src/core/response-schema.js";
import { OpenAiLlmClient, type OpenAiLlmClientOptions } from "../../src/llm/openai-client.js";
import { type FakeOpenAiServer, startFakeOpenAiServer } from "../support/fake-openai-server.js";
import { buildModelRequest, rejectionOf } from "../support/model-request.js";

let server: FakeOpenAiServer;

beforeEach(async () => {
  server = await startFakeOpenAiServer();
});

afterEach(async () => {
  await server.close();
});

function clientFor(options: Partial<OpenAiLlmClientOptions> = {}): OpenAiLlmClient {
  return new OpenAiLlmClient({ apiKey: "test-key", baseURL: `${server.url}/v1`, maxRetries: 2, ...options });
}

/** The error, checked to be a `MODEL_TRANSPORT` BatonError. */
async function transportFailureOf(promise: Promise<unknown>): Promise<BatonError> {
  const error = await rejectionOf(promise);
  if (!isBatonError(error, "MODEL_TRANSPORT")) throw new Error(`expected MODEL_TRANSPORT, got ${String(error)}`);
  return error;
}

/** Waits so a retry that should not happen would have happened. */
const pause = (milliseconds: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, milliseconds));

// Makes the SDK retry at once, so tests about counting retries stay fast.
const RETRY_NOW = { "retry-after-ms": "10" };

describe("OpenAiLlmClient: answers", () => {
  it("maps a completion: text, usage, model as reported, one attempt", async () => {
    server.enqueue({ kind: "json", value: { severity: "high" }, usage: { prompt_tokens: 120, completion_tokens: 9 }, model: "gpt-4o-mini-2024-07-18" });

    const response = await clientFor().complete(buildModelRequest({ temperature: 0.2 }));

    expect(response).toEqual({
      model: "gpt-4o-mini-2024-07-18",
      text: '{"severity":"high"}',
      refusal: null,
      finishReason: "stop",
      usage: { inputTokens: 120, outputTokens: 9, cachedInputTokens: 0 },
      latencyMs: expect.any(Number),
      transportAttempts: 1,
      scripted: false,
      responseMode: "json_schema_strict",
    });
    const [request] = server.requests;
    expect(request?.path).toBe("/v1/chat/completions");
    expect(request?.headers.authorization).toBe("Bearer test-key");
    expect(request?.body).toMatchObject({
      model: "gpt-4o-mini",
      temperature: 0.2,
      messages: [
        { role: "system", content: "You classify alerts." },
        { role: "user", content: "Disk full on db-1" },
      ],
    });
  });

  it("asks for structured outputs with the step's strict schema", async () => {
    const responseSchema = toResponseSchema("classification", z.object({ severity: z.enum(["low", "high"]), summary: z.string() }));
    server.enqueue({ kind: "json", value: { severity: "low", summary: "ok" } });

    await clientFor().complete(buildModelRequest({ responseSchema }));

    expect(responseSchema.strict).toBe(true);
    expect(server.requests[0]?.body).toMatchObject({
      response_format: { type: "json_schema", json_schema: { name: "classification", schema: responseSchema.schema, strict: true } },
    });
    expect(server.requests[0]?.body).not.toHaveProperty("temperature");
  });

  it("in json_object mode, asks for a JSON object and puts the schema in the system message", async () => {
    const request = buildModelRequest();
    server.enqueue({ kind: "json", value: { severity: "low" } });

    await clientFor({ responseFormat: "json_object" }).complete(request);

    const body = server.requests[0]?.body as { response_format: unknown; messages: Array<{ role: string; content: string }> };
    expect(body.response_format).toEqual({ type: "json_object" });
    expect(body.messages).toHaveLength(2);
    const system = body.messages[0];
    expect(system?.role).toBe("system");
    expect(system?.content.startsWith("You classify alerts.")).toBe(true);
    expect(system?.content).toContain("Answer with only a JSON object");
    expect(system?.content).toContain(JSON.stringify(request.responseSchema.schema));
    expect(body.messages[1]).toEqual({ role: "user", content: "Disk full on db-1" });
  });

  it("in json_object mode, adds a system message when there is none", async () => {
    server.enqueue({ kind: "json", value: { severity: "low" } });

    await clientFor({ responseFormat: "json_object" }).complete(buildModelRequest({ messages: [{ role: "user", content: "Disk full" }] }));

    const body = server.requests[0]?.body as { messages: Array<{ role: string; content: string }> };
    expect(body.messages.map((message) => message.role)).toEqual(["system", "user"]);
    expect(body.messages[0]?.content).toContain('"classification"');
  });

  it("passes malformed JSON through as text: judging it is the core's job", async () => {
    server.enqueue({ kind: "text", text: '{"severity": "high",', model: "gpt-4o-mini" });

    const response = await clientFor().complete(buildModelRequest());

    expect(response.text).toBe('{"severity": "high",');
    expect(response.refusal).toBeNull();
  });

  it("maps a refusal", async () => {
    server.enqueue({ kind: "refusal", refusal: "I can't help with that." });

    const response = await clientFor().complete(buildModelRequest());

    expect(response.text).toBe("");
    expect(response.refusal).toBe("I can't help with that.");
  });

  it("fails with MODEL_TRANSPORT when a 200 is not a chat completion (wrong base URL)", async () => {
    server.enqueue({ kind: "status", status: 200, body: "<html><body>Welcome to nginx!</body></html>" });

    const error = await transportFailureOf(clientFor().complete(buildModelRequest()));

    expect(error.message).toContain("not with a chat completion");
    expect(error.message).toContain("Welcome to nginx");
    expect(error.message).toContain("OPENAI_BASE_URL");
  });

  it("fails with MODEL_TRANSPORT when a completion has no choices", async () => {
    server.enqueue({ kind: "status", status: 200, body: { id: "chatcmpl-1", object: "chat.completion", model: "gpt-4o-mini", choices: [] } });

    const error = await transportFailureOf(clientFor().complete(buildModelRequest()));

    expect(error.message).toContain("without any choices");
    expect(error.details).toMatchObject({ model: "gpt-4o-mini", attempts: 1 });
  });
});

describe("OpenAiLlmClient: transport faults", () => {
  it("waits as long as Retry-After says after a 429, then succeeds on the second attempt", async () => {
    server.enqueue({ kind: "status", status: 429, headers: { "retry-after": "1" } }, { kind: "json", value: { severity: "low" } });

    const response = await clientFor().complete(buildModelRequest());

    expect(response.transportAttempts).toBe(2);
    const [first, second] = server.requests;
    expect((second?.receivedAt ?? 0) - (first?.receivedAt ?? 0)).toBeGreaterThanOrEqual(900);
    expect(second?.headers["x-stainless-retry-count"]).toBe("1");
  });

  it("retries 500s with the SDK's own backoff and counts every attempt", async () => {
    server.enqueue({ kind: "status", status: 500 }, { kind: "status", status: 500 }, { kind: "json", value: { severity: "low" } });

    const response = await clientFor({ maxRetries: 4 }).complete(buildModelRequest());

    expect(response.transportAttempts).toBe(3);
    expect(server.requests).toHaveLength(3);
  });

  it("gives up after maxRetries with MODEL_TRANSPORT, the status and the attempts", async () => {
    server.setFallback(() => ({ kind: "status", status: 503, headers: RETRY_NOW }));

    const error = await transportFailureOf(clientFor({ maxRetries: 2 }).complete(buildModelRequest()));

    expect(error.details).toMatchObject({ model: "gpt-4o-mini", status: 503, attempts: 3 });
    expect(error.message).toMatch(/HTTP 503 after 3 attempts/);
    expect(error.message).toContain("status page");
    expect(server.requests).toHaveLength(3);
  });

  it("times out a hanging server promptly, saying after how long and what to change", async () => {
    server.enqueue({ kind: "hang" });
    const startedAt = Date.now();

    const error = await transportFailureOf(clientFor({ maxRetries: 0 }).complete(buildModelRequest({ timeoutMs: 300 })));

    expect(Date.now() - startedAt).toBeLessThan(1_500);
    expect(error.message).toContain("timed out after 300 ms");
    expect(error.message).toContain("timeoutMs");
    expect(error.details).toMatchObject({ status: null, attempts: 1 });
  });

  it("keeps the whole call, retry waits included, within timeoutMs", async () => {
    server.enqueue({ kind: "status", status: 429, headers: { "retry-after": "30" } });
    const startedAt = Date.now();

    const error = await transportFailureOf(clientFor().complete(buildModelRequest({ timeoutMs: 400 })));

    expect(Date.now() - startedAt).toBeLessThan(1_500);
    expect(error.message).toContain("timed out after 400 ms");
    expect(server.requests).toHaveLength(1);
  });

  it("retries after the server resets the connection", async () => {
    server.enqueue({ kind: "reset" }, { kind: "json", value: { severity: "low" } });

    const response = await clientFor().complete(buildModelRequest());

    expect(response.transportAttempts).toBe(2);
    expect(JSON.parse(response.text)).toEqual({ severity: "low" });
  });

  it("says the connection was refused, and where, when nothing listens", async () => {
    const baseURL = `${server.url}/v1`;
    await server.close();

    const error = await transportFailureOf(new OpenAiLlmClient({ apiKey: "test-key", baseURL, maxRetries: 0 }).complete(buildModelRequest()));

    expect(error.message).toContain(`Could not reach the model server at ${baseURL} (connection refused)`);
    expect(error.message).toContain("OPENAI_BASE_URL");
    server = await startFakeOpenAiServer();
  });

  it("does not retry a rejected API key, and says which variable to check", async () => {
    server.setFallback(() => ({
      kind: "status",
      status: 401,
      body: { error: { message: "Incorrect API key provided: sk-wrong.", type: "invalid_request_error", code: "invalid_api_key" } },
    }));

    const error = await transportFailureOf(clientFor({ maxRetries: 3 }).complete(buildModelRequest()));

    expect(server.requests).toHaveLength(1);
    expect(error.details).toMatchObject({ status: 401, attempts: 1 });
    expect(error.message).toContain("OPENAI_API_KEY");
    expect(error.message).toContain("Incorrect API key provided");
  });

  it("names the model and BATON_MODEL when the model does not exist", async () => {
    server.enqueue({
      kind: "status",
      status: 404,
      body: { error: { message: "The model `gpt-9` does not exist", type: "invalid_request_error", code: "model_not_found" } },
    });

    const error = await transportFailureOf(clientFor().complete(buildModelRequest({ model: "gpt-9" })));

    expect(server.requests).toHaveLength(1);
    expect(error.message).toContain('model "gpt-9"');
    expect(error.message).toContain("BATON_MODEL");
  });

  it("logs each failed attempt to the logger it was given", async () => {
    const warnings: Array<{ fields: Record<string, unknown>; message: string }> = [];
    const logger: Logger = {
      debug: () => undefined,
      info: () => undefined,
      warn: (fields, message) => void warnings.push({ fields, message }),
      error: () => undefined,
    };
    server.enqueue({ kind: "status", status: 500, headers: RETRY_NOW }, { kind: "json", value: { severity: "low" } });

    await clientFor({ logger }).complete(buildModelRequest());

    expect(warnings).toEqual([
      {
        message: "model server answered HTTP 500",
        fields: expect.objectContaining({ status: 500, httpAttempt: 1, runId: "run_1", stepId: "classify", retryAfter: "10" }),
      },
    ]);
  });
});

describe("OpenAiLlmClient: the caller's abort", () => {
  it("rejects at once with the caller's reason, and does not retry", async () => {
    server.setFallback(() => ({ kind: "hang" }));
    const controller = new AbortController();
    const reason = new Error("run cancelled");
    setTimeout(() => controller.abort(reason), 100);
    const startedAt = Date.now();

    const error = await rejectionOf(clientFor().complete(buildModelRequest({ signal: controller.signal })));

    expect(error).toBe(reason);
    expect(Date.now() - startedAt).toBeLessThan(1_000);
    await pause(300);
    expect(server.requests).toHaveLength(1);
  });

  it("rejects at once even while the SDK waits to retry", async () => {
    server.enqueue({ kind: "status", status: 429, headers: { "retry-after": "5" } });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const startedAt = Date.now();

    const error = await rejectionOf(clientFor().complete(buildModelRequest({ signal: controller.signal })));

    expect(error).toBeInstanceOf(DOMException);
    expect((error as DOMException).name).toBe("AbortError");
    expect(Date.now() - startedAt).toBeLessThan(1_000);
    expect(server.requests).toHaveLength(1);
  });
});

describe("OpenAiLlmClient: configuration", () => {
  it("refuses an empty API key with MODEL_NOT_CONFIGURED", () => {
    expect(() => new OpenAiLlmClient({ apiKey: " " })).toThrow(expect.objectContaining({ code: "MODEL_NOT_CONFIGURED" }));
  });

  it("accepts the base URL without /v1 too (the fake server serves both)", async () => {
    server.enqueue({ kind: "json", value: { severity: "low" } });

    await clientFor({ baseURL: server.url }).complete(buildModelRequest());

    expect(server.requests[0]?.path).toBe("/chat/completions");
  });
});
