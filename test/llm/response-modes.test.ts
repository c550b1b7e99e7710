import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { isBatonError } from "../../src/core/errors.js";
import type { Logger } from "../../src/core/ports.js";
import { compileOutputSchema } from "../../src/core/response-schema.js";
import { OpenAiLlmClient, type OpenAiLlmClientOptions } from "../../src/llm/openai-client.js";
import type { ModelServerProfile } from "../support/fake-model-server-profiles.js";
import { type FakeOpenAiServer, type FakeOpenAiServerOptions, startFakeOpenAiServer } from "../support/fake-openai-server.js";
import { buildModelRequest, rejectionOf } from "../support/model-request.js";

/**
 * The adapter against servers that offer less than OpenAI's strict structured outputs: it asks
 * again one mode down when the server refuses how the format was asked for (and only then),
 * remembers the mode per model, says so once, and reports the mode and the refusals it met.
 */

let server: FakeOpenAiServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

interface LogLine {
  level: string;
  fields: Record<string, unknown>;
  message: string;
}

function recordingLogger(): Logger & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  const push = (level: string) => (fields: Record<string, unknown>, message: string) => void lines.push({ level, fields, message });
  return { lines, debug: push("debug"), info: push("info"), warn: push("warn"), error: push("error") };
}

async function serverAnswering(options: FakeOpenAiServerOptions, value: unknown): Promise<FakeOpenAiServer> {
  server = await startFakeOpenAiServer(options);
  server.setFallback(() => ({ kind: "json", value }));
  return server;
}

function clientFor(target: FakeOpenAiServer, options: Partial<OpenAiLlmClientOptions> = {}): OpenAiLlmClient {
  return new OpenAiLlmClient({ apiKey: "sk-test", baseURL: `${target.url}/v1`, maxRetries: 0, ...options });
}

const formatOf = (body: unknown): string | undefined =>
  (body as { response_format?: { type?: string; json_schema?: { strict?: boolean } } }).response_format?.type;
const strictOf = (body: unknown): boolean | undefined =>
  (body as { response_format?: { json_schema?: { strict?: boolean } } }).response_format?.json_schema?.strict;
const systemOf = (body: unknown): string =>
  (body as { messages: Array<{ role: string; content: string }> }).messages.find((message) => message.role === "system")?.content ?? "";

describe("response modes: degrade instead of failing", () => {
  it("a JSON-mode-only server: strict and non-strict json_schema are refused, JSON mode answers, and the next call starts there", async () => {
    const target = await serverAnswering({ profile: "json-object-only" }, { severity: "high" });
    const logger = recordingLogger();
    const client = clientFor(target, { logger });

    const first = await client.complete(buildModelRequest());
    const second = await client.complete(buildModelRequest());

    expect(target.requests.map((request) => [request.status, formatOf(request.body), strictOf(request.body)])).toEqual([
      [400, "json_schema", true],
      [400, "json_schema", false],
      [200, "json_object", undefined],
      [200, "json_object", undefined],
    ]);
    expect(systemOf(target.requests[2]?.body)).toContain('JSON Schema (named "classification")');
    expect(first.responseMode).toBe("json_object");
    expect(first.responseModeFallbacks).toEqual([
      { from: "json_schema_strict", to: "json_schema", serverMessage: "This response_format type is unavailable now" },
      { from: "json_schema", to: "json_object", serverMessage: "This response_format type is unavailable now" },
    ]);
    expect(second.responseMode).toBe("json_object");
    expect(second.responseModeFallbacks).toBeUndefined();
    const warnings = logger.lines.filter((line) => line.level === "warn" && line.message.includes("refused response mode"));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.message).toContain("This response_format type is unavailable now");
    expect(client.learnedResponseModes.get("gpt-4o-mini")).toBe("json_object");
  });

  it("a model with no JSON modes at all: down to the schema in the prompt, and no response_format sent", async () => {
    const target = await serverAnswering({ profile: "no-response-format" }, { severity: "low" });
    const response = await clientFor(target).complete(buildModelRequest());

    expect(target.requests.map((request) => [request.status, formatOf(request.body)])).toEqual([
      [400, "json_schema"],
      [400, "json_schema"],
      [400, "json_object"],
      [200, undefined],
    ]);
    expect(target.requests[3]?.body).not.toHaveProperty("response_format");
    expect(systemOf(target.requests[3]?.body)).toContain("Answer with only a JSON object");
    expect(response.responseMode).toBe("prompt_only");
    expect(response.responseModeFallbacks?.at(-1)?.serverMessage).toBe(
      "Invalid parameter: 'response_format' of type 'json_object' is not supported with this model.",
    );
  });

  it("remembers per model: another model on the same server starts at the top again", async () => {
    const target = await serverAnswering({ profile: "json-object-only" }, { severity: "high" });
    const client = clientFor(target);
    await client.complete(buildModelRequest({ model: "model-a" }));
    const other = await client.complete(buildModelRequest({ model: "model-b" }));
    expect(other.responseModeFallbacks).toHaveLength(2);
  });

  it("a 400 that is not about the format (the prompt is over the context window) is not retried in another mode", async () => {
    server = await startFakeOpenAiServer();
    server.setFallback(() => ({
      kind: "status",
      status: 400,
      body: {
        error: {
          message:
            "This model's maximum context length is 128000 tokens. However, your messages resulted in 461023 tokens. Please reduce the length of the messages.",
          type: "invalid_request_error",
          param: "messages",
          code: "context_length_exceeded",
        },
      },
    }));
    const error = await rejectionOf(clientFor(server).complete(buildModelRequest()));
    expect(isBatonError(error, "MODEL_TRANSPORT")).toBe(true);
    expect(server.requests).toHaveLength(1);
  });

  it("a schema with no strict form is sent non-strict with the whole schema, and the reason is logged once", async () => {
    const target = await serverAnswering({}, { byService: { api: 3 } });
    const logger = recordingLogger();
    const client = clientFor(target, { logger });
    const responseSchema = compileOutputSchema("costs", z.object({ byService: z.record(z.string(), z.number()) })).responseSchema;

    await client.complete(buildModelRequest({ responseSchema }));
    await client.complete(buildModelRequest({ responseSchema }));

    expect(target.requests.map((request) => [request.status, formatOf(request.body), strictOf(request.body)])).toEqual([
      [200, "json_schema", false],
      [200, "json_schema", false],
    ]);
    const notes = logger.lines.filter((line) => line.message.includes('"costs" is sent without strict'));
    expect(notes).toHaveLength(1);
    expect(notes[0]?.fields.reason).toMatch(/keys of any name/);
  });

  it("BATON_RESPONSE_FORMAT=prompt_only starts at the bottom: nothing is refused", async () => {
    const target = await serverAnswering({ profile: "no-response-format" }, { severity: "low" });
    const response = await clientFor(target, { responseFormat: "prompt_only" }).complete(buildModelRequest());
    expect(target.requests.map((request) => request.status)).toEqual([200]);
    expect(response.responseMode).toBe("prompt_only");
  });
});

describe("servers our users run", () => {
  it.each<[ModelServerProfile, string]>([
    ["openai", "json_schema_strict"],
    ["prose", "json_schema_strict"],
  ])("the %s server answers the first mode asked", async (profile, mode) => {
    const target = await serverAnswering({ profile }, { severity: "high" });
    const response = await clientFor(target).complete(buildModelRequest());
    expect(response.responseMode).toBe(mode);
    expect(target.requests).toHaveLength(1);
  });

  it("OpenAI: a wrong key is refused with the API's 401 and the fix names OPENAI_API_KEY", async () => {
    const target = await serverAnswering({ apiKey: "sk-right" }, { severity: "high" });
    const error = await rejectionOf(clientFor(target, { apiKey: "sk-wrong" }).complete(buildModelRequest()));
    expect(isBatonError(error, "MODEL_TRANSPORT")).toBe(true);
    expect((error as Error).message).toMatch(/refused the API key \(HTTP 401.*OPENAI_API_KEY/s);
  });

  it("Azure OpenAI: the deployment in the path, api-version in the query, the key in api-key", async () => {
    server = await startFakeOpenAiServer({ apiKey: "azure-key", azure: { deployments: ["gpt4o-prod"], apiVersions: ["2024-10-21"] } });
    server.setFallback(() => ({ kind: "json", value: { severity: "high" } }));
    const client = new OpenAiLlmClient({ apiKey: "azure-key", azure: { endpoint: `${server.url}/`, apiVersion: "2024-10-21" }, maxRetries: 0 });

    const response = await client.complete(buildModelRequest({ model: "gpt4o-prod" }));

    expect(response.responseMode).toBe("json_schema_strict");
    const [request] = server.requests;
    expect(request?.path).toBe("/openai/deployments/gpt4o-prod/chat/completions");
    expect(request?.query.get("api-version")).toBe("2024-10-21");
    expect(request?.headers["api-key"]).toBe("azure-key");
    expect(request?.headers.authorization).toBeUndefined();
  });

  it("Azure OpenAI: an unknown deployment is the documented 404, and the fix says to set the model to a deployment", async () => {
    server = await startFakeOpenAiServer({ apiKey: "azure-key", azure: { deployments: ["gpt4o-prod"], apiVersions: ["2024-10-21"] } });
    const client = new OpenAiLlmClient({ apiKey: "azure-key", azure: { endpoint: server.url, apiVersion: "2024-10-21" }, maxRetries: 0 });
    const error = await rejectionOf(client.complete(buildModelRequest({ model: "gpt-4o-mini" })));
    expect(isBatonError(error, "MODEL_TRANSPORT")).toBe(true);
    expect((error as Error).message).toMatch(/HTTP 404: The API deployment for this resource does not exist/);
    expect((error as Error).message).toContain("BATON_MODEL");
  });
});

describe("the step's schema reaches the server in a form it accepts", () => {
  it("a schema with minLength, optional fields and a url is sent strict and accepted by the strict fake; null comes back as absent", async () => {
    const schema = z.object({ currency: z.string().min(3), note: z.string().optional(), link: z.url() });
    const compiled = compileOutputSchema("cost-estimate", schema);
    const target = await serverAnswering({}, { currency: "EUR", note: null, link: "https://example.com" });

    const response = await clientFor(target).complete(buildModelRequest({ responseSchema: compiled.responseSchema }));

    expect(target.requests[0]?.status).toBe(200);
    expect(strictOf(target.requests[0]?.body)).toBe(true);
    expect(schema.parse(compiled.restoreAbsentFields(JSON.parse(response.text)))).toEqual({ currency: "EUR", link: "https://example.com" });
  });
});
