import { describe, expect, it } from "vitest";
import type { LlmClient, ModelRequest } from "../../src/core/ports.js";
import { buildModelRequest, rejectionOf } from "./model-request.js";

/** One implementation set up to answer `value` to `request`. */
export interface LlmClientUnderTest {
  client: LlmClient;
  close(): Promise<void>;
}

/**
 * The behaviour every `LlmClient` owes the core, run against each implementation (the real
 * OpenAI adapter against the fake server, and the scripted demo model).
 */
export function describeLlmClientContract(implementation: string, answering: (value: unknown, request: ModelRequest) => Promise<LlmClientUnderTest>): void {
  describe(`LlmClient contract: ${implementation}`, () => {
    it("answers with the value as JSON text, and accounts for it", async () => {
      const request = buildModelRequest();
      const value = { severity: "high", reasons: ["disk", "db"] };
      const { client, close } = await answering(value, request);
      try {
        const response = await client.complete(request);

        expect(JSON.parse(response.text)).toEqual(value);
        expect(response.refusal).toBeNull();
        expect(response.model).not.toBe("");
        expect(response.usage.inputTokens).toBeGreaterThan(0);
        expect(response.usage.outputTokens).toBeGreaterThan(0);
        expect(response.latencyMs).toBeGreaterThanOrEqual(0);
        expect(response.transportAttempts).toBe(1);
        expect(typeof response.scripted).toBe("boolean");
      } finally {
        await close();
      }
    });

    it("rejects with the caller's abort reason when the signal has already fired", async () => {
      const controller = new AbortController();
      const reason = new Error("run cancelled");
      controller.abort(reason);
      const request = buildModelRequest({ signal: controller.signal });
      const { client, close } = await answering({ severity: "low" }, request);
      try {
        expect(await rejectionOf(client.complete(request))).toBe(reason);
      } finally {
        await close();
      }
    });
  });
}
