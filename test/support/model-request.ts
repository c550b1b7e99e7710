import type { ModelRequest } from "../../src/core/ports.js";

/** A plain model request for adapter tests; override what the test is about. */
export function buildModelRequest(overrides: Partial<ModelRequest> = {}): ModelRequest {
  return {
    model: "gpt-4o-mini",
    messages: [
      { role: "system", content: "You classify alerts." },
      { role: "user", content: "Disk full on db-1" },
    ],
    responseSchema: {
      name: "classification",
      schema: {
        type: "object",
        properties: { severity: { type: "string", enum: ["low", "high"] } },
        required: ["severity"],
        additionalProperties: false,
      },
      strict: true,
    },
    temperature: undefined,
    timeoutMs: 5_000,
    signal: undefined,
    purpose: { runId: "run_1", chainId: "incident-response", stepId: "classify", attempt: 1 },
    ...overrides,
  };
}

/** What `promise` rejected with; fails the test if it resolved. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected the promise to reject, but it resolved");
}
