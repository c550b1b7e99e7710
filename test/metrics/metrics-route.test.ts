import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { defineChain } from "../../src/core/chain-builder.js";
import { costOf, DEFAULT_PRICES } from "../../src/core/pricing.js";
import { startHttpServer, type RunningHttpServer } from "../../src/http/http-server.js";
import { BatonMetrics } from "../../src/metrics/baton-metrics.js";
import { metricsRoute } from "../../src/metrics/ops-routes.js";
import { createHarness, silentLogger, type Harness } from "../support/runner-harness.js";
import { parseExposition, valueOf, type Sample } from "./exposition-parser.js";

const gated = defineChain({ id: "remediate", description: "test", input: z.object({ alert: z.string() }), approvers: [] })
  .llm("plan", {
    system: "You plan remediations.",
    user: ({ input }) => `Alert: ${input.alert}`,
    output: z.object({ title: z.string().min(3) }),
    approval: { title: "Remediation plan" },
  })
  .build();

const strict = defineChain({ id: "classify", description: "test", input: z.object({ alert: z.string() }) })
  .llm("severity", {
    system: "You classify.",
    user: ({ input }) => `Alert: ${input.alert}`,
    output: z.object({ severity: z.enum(["SEV1", "SEV2", "SEV3", "SEV4"]) }),
    maxAttempts: 2,
  })
  .build();

describe("GET /metrics with a real runner", () => {
  let harness: Harness;
  let metrics: BatonMetrics;
  let http: RunningHttpServer;
  let detach: () => void;

  beforeEach(async () => {
    harness = await createHarness([gated, strict]);
    metrics = new BatonMetrics();
    detach = metrics.attach(harness.runner.events);
    http = await startHttpServer({ port: 0, host: "127.0.0.1", routes: [metricsRoute(metrics)], logger: silentLogger });
  });
  afterEach(async () => {
    detach();
    await http.close();
    await harness.close();
  });

  async function scrape(): Promise<Sample[]> {
    const response = await fetch(`http://127.0.0.1:${http.port}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/plain");
    return parseExposition(await response.text());
  }

  it("counts model calls by the response mode the server accepted, and each mode it refused", async () => {
    await harness.close();
    harness = await createHarness([gated, strict], {}, {}, { profile: "json-object-only" });
    detach();
    detach = metrics.attach(harness.runner.events);
    harness.server.setFallback(() => ({ kind: "json", value: { title: "Restart the pods" } }));
    const { runId } = await harness.runner.start("remediate", { alert: "OOMKilled" }, { startedBy: "U-STARTER" });
    expect((await harness.runner.settled(runId)).status).toBe("awaiting_approval");

    const samples = await scrape();
    expect(valueOf(samples, "baton_model_calls_total", { model: "gpt-4o-mini", response_mode: "json_object" })).toBe(1);
    expect(valueOf(samples, "baton_model_response_mode_fallbacks_total", { model: "gpt-4o-mini", from: "json_schema_strict", to: "json_schema" })).toBe(1);
    expect(valueOf(samples, "baton_model_response_mode_fallbacks_total", { model: "gpt-4o-mini", from: "json_schema", to: "json_object" })).toBe(1);
  });

  it("counts a gated run through its approval: runs, in flight, tokens, cost, step time, approval wait", async () => {
    harness.server.enqueue({ kind: "json", value: { title: "Restart the pods" }, usage: { prompt_tokens: 120, completion_tokens: 30 } });
    const { runId } = await harness.runner.start("remediate", { alert: "OOMKilled" }, { startedBy: "U-STARTER" });
    expect((await harness.runner.settled(runId)).status).toBe("awaiting_approval");

    const waiting = await scrape();
    expect(valueOf(waiting, "baton_runs_started_total", { chain: "remediate" })).toBe(1);
    expect(valueOf(waiting, "baton_runs_in_flight", { status: "awaiting_approval" })).toBe(1);
    expect(valueOf(waiting, "baton_runs_in_flight", { status: "running" })).toBe(0);
    expect(valueOf(waiting, "baton_approvals_pending")).toBe(1);
    expect(valueOf(waiting, "baton_model_tokens_total", { model: "gpt-4o-mini", direction: "input" })).toBe(120);
    expect(valueOf(waiting, "baton_model_tokens_total", { model: "gpt-4o-mini", direction: "output" })).toBe(30);
    expect(valueOf(waiting, "baton_model_cost_usd_total", { model: "gpt-4o-mini" })).toBeCloseTo(
      costOf(DEFAULT_PRICES, "gpt-4o-mini", { inputTokens: 120, outputTokens: 30 }).usd,
      12,
    );

    const [approval] = await harness.store.listApprovals({ runId, statuses: ["pending"], limit: 5 });
    if (!approval) throw new Error("no pending approval");
    await harness.runner.decide(approval.id, { kind: "approve" }, { id: "U-ONCALL" });
    expect((await harness.runner.settled(runId)).status).toBe("succeeded");

    const finished = await scrape();
    expect(valueOf(finished, "baton_runs_finished_total", { chain: "remediate", status: "succeeded" })).toBe(1);
    expect(valueOf(finished, "baton_runs_in_flight", { status: "awaiting_approval" })).toBe(0);
    expect(valueOf(finished, "baton_runs_in_flight", { status: "running" })).toBe(0);
    expect(valueOf(finished, "baton_approvals_pending")).toBe(0);
    expect(valueOf(finished, "baton_approval_wait_seconds_count", { chain: "remediate" })).toBe(1);
    expect(valueOf(finished, "baton_approval_wait_seconds_bucket", { chain: "remediate", le: "+Inf" })).toBe(1);
    // The gated step's time runs from its start to the approval request, once.
    expect(valueOf(finished, "baton_step_duration_seconds_count", { chain: "remediate", step: "plan" })).toBe(1);
    // Default process metrics come from this registry, prefixed.
    expect(finished.some((sample) => sample.name === "baton_process_cpu_seconds_total")).toBe(true);
    // Never a run id in a label.
    expect(finished.every((sample) => !Object.values(sample.labels).includes(runId))).toBe(true);
  });

  it("counts the prompt tokens served from the server's cache apart, as a part of input that sums never count twice", async () => {
    harness.server.enqueue(
      // The fake reports the cached part as OpenAI does (usage.prompt_tokens_details.cached_tokens); the re-ask is cached further.
      {
        kind: "json",
        value: { severity: "catastrophic" },
        usage: { prompt_tokens: 1_300, completion_tokens: 10, prompt_tokens_details: { cached_tokens: 1_152 } },
      },
      { kind: "json", value: { severity: "SEV2" }, usage: { prompt_tokens: 1_400, completion_tokens: 8, prompt_tokens_details: { cached_tokens: 1_280 } } },
    );
    const { runId } = await harness.runner.start("classify", { alert: "disk full" }, { startedBy: "U-STARTER" });
    expect((await harness.runner.settled(runId)).status).toBe("succeeded");

    const samples = await scrape();
    expect(valueOf(samples, "baton_model_cached_input_tokens_total", { model: "gpt-4o-mini" })).toBe(2_432);
    expect(valueOf(samples, "baton_model_tokens_total", { model: "gpt-4o-mini", direction: "input" })).toBe(2_700);
    // Summing the tokens counter over its labels gives the tokens used: no cached series in it.
    const tokens = samples.filter((sample) => sample.name === "baton_model_tokens_total");
    expect(tokens.map((sample) => sample.labels["direction"]).sort()).toEqual(["input", "output"]);
    expect(tokens.reduce((sum, sample) => sum + sample.value, 0)).toBe(2_718);
  });

  it("has a cached-tokens series of 0 for a model whose server cached nothing", async () => {
    harness.server.enqueue({ kind: "json", value: { severity: "SEV3" }, usage: { prompt_tokens: 60, completion_tokens: 5 } });
    const { runId } = await harness.runner.start("classify", { alert: "disk full" }, { startedBy: "U-STARTER" });
    expect((await harness.runner.settled(runId)).status).toBe("succeeded");
    expect(valueOf(await scrape(), "baton_model_cached_input_tokens_total", { model: "gpt-4o-mini" })).toBe(0);
  });

  it("counts an invalid model answer as one validation failure (drift) and the step's duration", async () => {
    harness.server.enqueue(
      { kind: "json", value: { severity: "catastrophic" }, usage: { prompt_tokens: 50, completion_tokens: 10 } },
      { kind: "json", value: { severity: "SEV2" }, usage: { prompt_tokens: 70, completion_tokens: 8 } },
    );
    const { runId } = await harness.runner.start("classify", { alert: "disk full" }, { startedBy: "U-STARTER" });
    expect((await harness.runner.settled(runId)).status).toBe("succeeded");

    const samples = await scrape();
    expect(valueOf(samples, "baton_validation_failures_total", { chain: "classify", step: "severity", model: "gpt-4o-mini" })).toBe(1);
    expect(valueOf(samples, "baton_model_tokens_total", { model: "gpt-4o-mini", direction: "input" })).toBe(120);
    expect(valueOf(samples, "baton_model_tokens_total", { model: "gpt-4o-mini", direction: "output" })).toBe(18);
    expect(valueOf(samples, "baton_step_duration_seconds_count", { chain: "classify", step: "severity" })).toBe(1);
    expect(valueOf(samples, "baton_step_duration_seconds_bucket", { chain: "classify", step: "severity", le: "300" })).toBe(1);
    expect(valueOf(samples, "baton_runs_finished_total", { chain: "classify", status: "succeeded" })).toBe(1);
    expect(valueOf(samples, "baton_runs_in_flight", { status: "running" })).toBe(0);
  });

  it("counts webhook deliveries by source, outcome and status, and starts in-flight gauges from the store's counts", async () => {
    metrics.recordDelivery("alertmanager", "accepted", 202);
    metrics.recordDelivery("alertmanager", "accepted", 202);
    metrics.recordDelivery("pagerduty", "rejected", 401);
    metrics.setRunCounts({ running: 2, awaiting_approval: 3, succeeded: 40 });
    const samples = await scrape();
    expect(valueOf(samples, "baton_webhook_deliveries_total", { source: "alertmanager", outcome: "accepted", status: "202" })).toBe(2);
    expect(valueOf(samples, "baton_webhook_deliveries_total", { source: "pagerduty", outcome: "rejected", status: "401" })).toBe(1);
    expect(valueOf(samples, "baton_runs_in_flight", { status: "running" })).toBe(2);
    expect(valueOf(samples, "baton_runs_in_flight", { status: "awaiting_approval" })).toBe(3);
    expect(valueOf(samples, "baton_approvals_pending")).toBe(3);
  });

  it("keeps two instances apart (own registries)", async () => {
    const other = new BatonMetrics();
    other.recordDelivery("generic", "accepted", 202);
    const samples = await scrape();
    expect(samples.some((sample) => sample.name === "baton_webhook_deliveries_total")).toBe(false);
    expect(valueOf(parseExposition(await other.registry.metrics()), "baton_webhook_deliveries_total", { source: "generic" })).toBe(1);
  });
});
