import { describe, expect, it } from "vitest";
import { renderRunTimeline } from "../../src/cli/render-run.js";
import type { AuditEvent, RunRecord } from "../../src/core/ports.js";

/** `baton show`: a run's tokens and cost, the cached prompt tokens among them. */

const run: RunRecord = {
  id: "r_1",
  chainId: "incident-response",
  status: "awaiting_approval",
  cursor: 2,
  stepCount: 6,
  input: {},
  startedBy: "U0ALICE",
  origin: null,
  createdAt: Date.UTC(2026, 10, 24, 12),
  updatedAt: Date.UTC(2026, 10, 24, 12),
  finishedAt: null,
  error: null,
  leaseOwner: null,
  leaseExpiresAt: null,
};

const call = (sequence: number, stepId: string, data: Record<string, unknown>): AuditEvent => ({
  runId: "r_1",
  sequence,
  at: run.createdAt + sequence,
  type: "model.call",
  stepId,
  actor: null,
  data: { model: "gpt-4o-mini", attempt: 1, outcome: "valid", ...data },
});

describe("baton show", () => {
  it("totals the run's tokens and cost, and says how many prompt tokens the server's cache served", () => {
    const text = renderRunTimeline({
      run,
      chain: undefined,
      steps: [],
      approvals: [],
      events: [
        call(1, "classify", { inputTokens: 1_500, outputTokens: 100, costUsd: 0.000285 }),
        call(2, "remediation", { inputTokens: 2_000, cachedInputTokens: 1_152, outputTokens: 300, costUsd: 0.000393 }),
      ],
    });
    expect(text).toContain("2 model calls · 3,900 tokens (3,500 in, 1,152 of them cached, 400 out) · $0.0007");
    expect(text).toMatch(/remediation\s+gpt-4o-mini\s+#1\s+valid\s+2,300 tok {2}\(1,152 cached\)/);
  });
});
