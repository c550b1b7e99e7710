import { describe, expect, it } from "vitest";
import { EventBus } from "../../src/core/event-bus.js";
import type { ApprovalRecord } from "../../src/core/records.js";
import type { RunnerEvents } from "../../src/core/runner-types.js";
import { BatonMetrics } from "../../src/metrics/baton-metrics.js";
import { parseExposition, valueOf } from "./exposition-parser.js";

function approval(overrides: Partial<ApprovalRecord>): ApprovalRecord {
  return {
    id: "a_1",
    runId: "r_old",
    chainId: "remediate",
    stepId: "plan",
    stepIndex: 0,
    round: 1,
    status: "pending",
    proposal: {},
    approvers: [],
    allowSelfApproval: true,
    requestedBy: "U-STARTER",
    requestedAt: 1_000,
    deadlineAt: 999_999,
    stepStartedAt: 500,
    stepUsage: { modelCalls: 1, inputTokens: 1, cachedInputTokens: 0, outputTokens: 1, costUsd: 0 },
    stepExecutions: 1,
    decidedAt: null,
    decidedBy: null,
    editedOutput: null,
    comment: null,
    ...overrides,
  };
}

describe("in-flight gauges for runs from before a restart", () => {
  it("moves runs the process never saw start from the status their event implies", async () => {
    const events = new EventBus<RunnerEvents>((_type, error) => {
      throw error;
    });
    const metrics = new BatonMetrics({ defaultMetrics: false });
    metrics.attach(events);
    metrics.setRunCounts({ running: 1, awaiting_approval: 2 });

    // One waiting run is approved (resumes, then succeeds); the other expires.
    events.emit("approval.decided", { approval: approval({ status: "approved", decidedAt: 61_000 }) });
    events.emit("run.finished", { runId: "r_old", chainId: "remediate", status: "succeeded", error: null });
    events.emit("run.finished", { runId: "r_other", chainId: "remediate", status: "expired", error: null });
    // The running one fails.
    events.emit("run.finished", { runId: "r_running", chainId: "remediate", status: "failed", error: null });

    const samples = parseExposition(await metrics.registry.metrics());
    expect(valueOf(samples, "baton_runs_in_flight", { status: "running" })).toBe(0);
    expect(valueOf(samples, "baton_runs_in_flight", { status: "awaiting_approval" })).toBe(0);
    expect(valueOf(samples, "baton_approvals_pending")).toBe(1); // the expired one's approval.decided was not sent here
    expect(valueOf(samples, "baton_approval_wait_seconds_sum", { chain: "remediate" })).toBe(60);
    expect(valueOf(samples, "baton_approval_wait_seconds_bucket", { chain: "remediate", le: "30" })).toBe(0);
    expect(valueOf(samples, "baton_approval_wait_seconds_bucket", { chain: "remediate", le: "60" })).toBe(1);
  });
});
