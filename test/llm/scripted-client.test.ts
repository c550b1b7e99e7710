import { describe, expect, it } from "vitest";
import { isBatonError } from "../../src/core/errors.js";
import { ScriptedLlmClient } from "../../src/llm/scripted-client.js";
import { buildModelRequest, rejectionOf } from "../support/model-request.js";

const purpose = { runId: "run_1", chainId: "incident-response", stepId: "classify", attempt: 1 };

describe("ScriptedLlmClient", () => {
  it("answers the step's example as JSON text, marked scripted, with estimated usage", async () => {
    const client = new ScriptedLlmClient({ "incident-response": { classify: { severity: "high" } } });
    const request = buildModelRequest({
      purpose,
      messages: [
        { role: "system", content: "12345678" },
        { role: "user", content: "1" },
      ],
    });

    const response = await client.complete(request);

    expect(client.name).toBe("scripted");
    expect(response).toEqual({
      model: "scripted",
      text: '{"severity":"high"}',
      refusal: null,
      finishReason: "stop",
      // 9 characters of prompt and 19 of answer, at about 4 characters a token.
      usage: { inputTokens: 3, outputTokens: 5, cachedInputTokens: 0 },
      latencyMs: 0,
      transportAttempts: 1,
      scripted: true,
      responseMode: "json_schema_strict",
    });
  });

  it("goes round a list of examples by attempt, so a demo can show a re-ask", async () => {
    const client = new ScriptedLlmClient({ "incident-response": { classify: [{ severity: "extreme" }, { severity: "high" }] } });
    const answerTo = async (attempt: number): Promise<unknown> =>
      JSON.parse((await client.complete(buildModelRequest({ purpose: { ...purpose, attempt } }))).text);

    expect(await answerTo(1)).toEqual({ severity: "extreme" });
    expect(await answerTo(2)).toEqual({ severity: "high" });
    expect(await answerTo(3)).toEqual({ severity: "extreme" });
  });

  it("does not check the example against the schema: the core does", async () => {
    const client = new ScriptedLlmClient({ "incident-response": { classify: { unexpected: true } } });

    const response = await client.complete(buildModelRequest({ purpose }));

    expect(response.text).toBe('{"unexpected":true}');
  });

  it.each([
    ["the step has no example", { "incident-response": { notify: { ok: true } } }],
    ["the chain has no examples", { "iac-review": { classify: { ok: true } } }],
    ["the step's list is empty", { "incident-response": { classify: [] } }],
  ])("fails with MODEL_NOT_CONFIGURED and a fix when %s", async (_case, examples) => {
    const client = new ScriptedLlmClient(examples);

    const error = await rejectionOf(client.complete(buildModelRequest({ purpose })));

    expect(isBatonError(error, "MODEL_NOT_CONFIGURED")).toBe(true);
    const message = (error as Error).message;
    expect(message).toContain('step "classify" of chain "incident-response"');
    expect(message).toContain("examples.json");
    expect(message).toContain("OPENAI_API_KEY");
  });

  it("ignores inherited keys such as toString", async () => {
    const client = new ScriptedLlmClient({});

    const error = await rejectionOf(client.complete(buildModelRequest({ purpose: { ...purpose, chainId: "toString", stepId: "constructor" } })));

    expect(isBatonError(error, "MODEL_NOT_CONFIGURED")).toBe(true);
  });
});
