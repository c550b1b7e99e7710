import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import { z } from "zod";
import type { EventBus } from "../core/event-bus.js";
import type { ApprovalRecord, AuditEventInput, RunStatus } from "../core/records.js";
import type { RunnerEvents } from "../core/runner-types.js";

/** The statuses a run can be "in flight" in: it holds a row someone is waiting on. */
export type InFlightStatus = "running" | "awaiting_approval";

/** How a webhook delivery ended, as the webhook layer sees it. */
export type DeliveryOutcome = "accepted" | "duplicate" | "rejected" | "failed";

// Steps range from a deterministic action (milliseconds) to a long model call with re-asks.
const STEP_DURATION_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];
// People answer approvals in minutes to days.
const APPROVAL_WAIT_BUCKETS = [10, 30, 60, 300, 900, 1800, 3600, 4 * 3600, 12 * 3600, 24 * 3600, 3 * 24 * 3600, 7 * 24 * 3600];

// Audit entry data is written by model-step.ts; read it as unknown and keep only what parses.
const responseModeSchema = z.enum(["json_schema_strict", "json_schema", "json_object", "prompt_only"]);
const modelCallData = z.object({
  model: z.string(),
  inputTokens: z.number(),
  outputTokens: z.number(),
  // Written only when the server's prompt cache served part of the prompt.
  cachedInputTokens: z.number().optional(),
  costUsd: z.number(),
  // Audit entries written before response modes existed have neither.
  responseMode: responseModeSchema.optional(),
  responseModeFallbacks: z.array(z.object({ from: responseModeSchema, to: responseModeSchema })).optional(),
});
const invalidOutputData = z.object({ model: z.string() });

/**
 * baton's Prometheus metrics, in a registry of its own (never prom-client's global one), so two
 * bots or many tests in one process do not collide. Fed by the runner's events (`attach`) and
 * by the webhook layer (`recordDelivery`). Labels are bounded: chain, step and model ids and
 * statuses, never run ids.
 */
export class BatonMetrics {
  /** The registry `/metrics` serialises. */
  readonly registry = new Registry();

  readonly #runsStarted: Counter<"chain">;
  readonly #runsFinished: Counter<"chain" | "status">;
  readonly #runsInFlight: Gauge<"status">;
  readonly #stepDuration: Histogram<"chain" | "step">;
  readonly #modelTokens: Counter<"model" | "direction">;
  readonly #modelCachedInputTokens: Counter<"model">;
  readonly #modelCost: Counter<"model">;
  readonly #modelCalls: Counter<"model" | "response_mode">;
  readonly #responseModeFallbacks: Counter<"model" | "from" | "to">;
  readonly #validationFailures: Counter<"chain" | "step" | "model">;
  readonly #approvalsPending: Gauge;
  #waitingRuns: (() => Promise<ReadonlyArray<{ waitingFor: string }>>) | undefined;
  readonly #approvalWait: Histogram<"chain">;
  readonly #webhookDeliveries: Counter<"source" | "outcome" | "status">;
  // The in-flight status of each run this process has seen, so a transition moves one count
  // from the right status to the next. Entries leave when the run finishes.
  readonly #inFlight = new Map<string, InFlightStatus>();

  constructor(options: { defaultMetrics?: boolean } = {}) {
    const registers = [this.registry];
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry, prefix: "baton_" });
    this.#runsStarted = new Counter({ name: "baton_runs_started_total", help: "Runs started, by chain.", labelNames: ["chain"], registers });
    this.#runsFinished = new Counter({
      name: "baton_runs_finished_total",
      help: "Runs that ended, by chain and final status.",
      labelNames: ["chain", "status"],
      registers,
    });
    this.#runsInFlight = new Gauge({
      name: "baton_runs_in_flight",
      help: "Runs not yet ended, by status (running, awaiting_approval).",
      labelNames: ["status"],
      registers,
    });
    this.#stepDuration = new Histogram({
      name: "baton_step_duration_seconds",
      help: "Time a step took from start to its committed output, by chain and step.",
      labelNames: ["chain", "step"],
      buckets: STEP_DURATION_BUCKETS,
      registers,
    });
    this.#modelTokens = new Counter({
      name: "baton_model_tokens_total",
      help: "Model tokens used, by model and direction (input, output). Input includes the cached prompt tokens of baton_model_cached_input_tokens_total.",
      labelNames: ["model", "direction"],
      registers,
    });
    // A counter of its own rather than a third direction: summing baton_model_tokens_total over
    // direction must stay the tokens used, and cached tokens are already a part of input.
    this.#modelCachedInputTokens = new Counter({
      name: "baton_model_cached_input_tokens_total",
      help: 'Prompt tokens the model server served from its prompt cache (billed lower), by model. A part of baton_model_tokens_total{direction="input"}, already counted there.',
      labelNames: ["model"],
      registers,
    });
    this.#modelCalls = new Counter({
      name: "baton_model_calls_total",
      help: "Model calls answered, by model and the response mode the server accepted.",
      labelNames: ["model", "response_mode"],
      registers,
    });
    this.#responseModeFallbacks = new Counter({
      name: "baton_model_response_mode_fallbacks_total",
      help: "Response modes a model server refused (HTTP 400 about response_format or the schema), by model, the mode refused and the mode asked next.",
      labelNames: ["model", "from", "to"],
      registers,
    });
    this.#modelCost = new Counter({
      name: "baton_model_cost_usd_total",
      help: "Model spend in US dollars from the price table, by model.",
      labelNames: ["model"],
      registers,
    });
    this.#validationFailures = new Counter({
      name: "baton_validation_failures_total",
      help: "Model answers that failed the step's schema or were not JSON (drift), by chain, step and model.",
      labelNames: ["chain", "step", "model"],
      registers,
    });
    this.#approvalsPending = new Gauge({ name: "baton_approvals_pending", help: "Approvals waiting for a person.", registers });
    this.#approvalWait = new Histogram({
      name: "baton_approval_wait_seconds",
      help: "Time from an approval request to its decision, by chain.",
      labelNames: ["chain"],
      buckets: APPROVAL_WAIT_BUCKETS,
      registers,
    });
    this.#webhookDeliveries = new Counter({
      name: "baton_webhook_deliveries_total",
      help: "Webhook deliveries, by source, outcome and HTTP status answered.",
      labelNames: ["source", "outcome", "status"],
      registers,
    });
    const metrics = this;
    new Gauge({
      name: "baton_runs_waiting",
      help: "Running runs waiting out an outage (a step's next try is scheduled), by what they wait for (model, github, service).",
      labelNames: ["waiting_for"],
      registers,
      // Read from the store at each scrape: the schedule is durable and shared by every process.
      async collect() {
        if (!metrics.#waitingRuns) return;
        this.reset();
        for (const waitingFor of ["model", "github", "service"]) this.set({ waiting_for: waitingFor }, 0);
        for (const retry of await metrics.#waitingRuns()) this.inc({ waiting_for: retry.waitingFor });
      },
    });
    for (const status of ["running", "awaiting_approval"] as const) this.#runsInFlight.set({ status }, 0);
    this.#approvalsPending.set(0);
  }

  /**
   * Set the in-flight gauges from the store at start-up, before the runner resumes anything:
   * events only tell about changes, and runs waiting since before a restart are still waiting.
   */
  setRunCounts(counts: Partial<Record<RunStatus, number>>): void {
    this.#runsInFlight.set({ status: "running" }, counts.running ?? 0);
    this.#runsInFlight.set({ status: "awaiting_approval" }, counts.awaiting_approval ?? 0);
    // Every awaiting run waits on exactly one pending approval.
    this.#approvalsPending.set(counts.awaiting_approval ?? 0);
  }

  /** Where `baton_runs_waiting` reads the waiting runs from (the store's retries), at each scrape. */
  countWaitingRunsFrom(list: () => Promise<ReadonlyArray<{ waitingFor: string }>>): void {
    this.#waitingRuns = list;
  }

  /** Count one webhook delivery; the webhook layer calls this once per request it answers. */
  recordDelivery(source: string, outcome: DeliveryOutcome, status: number): void {
    this.#webhookDeliveries.inc({ source, outcome, status: String(status) });
  }

  /** Subscribe to the runner; returns the function that unsubscribes. */
  attach(events: EventBus<RunnerEvents>): () => void {
    const unsubscribers = [
      events.on("run.started", ({ runId, chainId }) => {
        this.#runsStarted.inc({ chain: chainId });
        this.#move(runId, "running", undefined);
      }),
      events.on("step.finished", ({ chainId, stepId, status, durationMs }) => {
        if (status === "succeeded") this.#stepDuration.observe({ chain: chainId, step: stepId }, durationMs / 1000);
      }),
      events.on("step.audited", ({ chainId, stepId, entries }) => this.#countModelCalls(chainId, stepId, entries)),
      events.on("approval.requested", ({ approval }) => {
        // A gated step ends its work at the request (step.finished is never emitted for it);
        // its duration is the model's time, not the person's.
        this.#stepDuration.observe({ chain: approval.chainId, step: approval.stepId }, Math.max(0, approval.requestedAt - approval.stepStartedAt) / 1000);
        this.#approvalsPending.inc();
        this.#move(approval.runId, "awaiting_approval", "running");
      }),
      events.on("approval.decided", ({ approval }) => this.#approvalDecided(approval)),
      events.on("run.finished", ({ runId, chainId, status }) => {
        this.#runsFinished.inc({ chain: chainId, status });
        // A run we never saw (from before a restart) ended from the status its end implies.
        const previous = this.#inFlight.get(runId) ?? (status === "expired" || status === "rejected" ? "awaiting_approval" : "running");
        this.#inFlight.delete(runId);
        this.#runsInFlight.dec({ status: previous });
        // A cancelled waiting run leaves its approval behind without an approval.decided event.
        if (previous === "awaiting_approval" && status === "cancelled") this.#approvalsPending.dec();
      }),
    ];
    return () => {
      for (const unsubscribe of unsubscribers) unsubscribe();
    };
  }

  #approvalDecided(approval: ApprovalRecord): void {
    this.#approvalsPending.dec();
    if (approval.decidedAt !== null) this.#approvalWait.observe({ chain: approval.chainId }, Math.max(0, approval.decidedAt - approval.requestedAt) / 1000);
    // Approve, edit and request-changes resume the run; reject and expiry end it (run.finished).
    if (approval.status === "approved" || approval.status === "edited" || approval.status === "changes_requested")
      this.#move(approval.runId, "running", "awaiting_approval");
  }

  /** `assumed` is where a run this process has not seen yet must have been (undefined: nowhere, it is new). */
  #move(runId: string, next: InFlightStatus, assumed: InFlightStatus | undefined): void {
    const previous = this.#inFlight.get(runId) ?? assumed;
    if (previous === next) return;
    if (previous) this.#runsInFlight.dec({ status: previous });
    this.#runsInFlight.inc({ status: next });
    this.#inFlight.set(runId, next);
  }

  #countModelCalls(chainId: string, stepId: string, entries: ReadonlyArray<AuditEventInput>): void {
    for (const entry of entries) {
      if (entry.type === "model.call") {
        const call = modelCallData.safeParse(entry.data);
        if (!call.success) continue; // a transport error: no answer, no tokens
        this.#modelTokens.inc({ model: call.data.model, direction: "input" }, call.data.inputTokens);
        this.#modelTokens.inc({ model: call.data.model, direction: "output" }, call.data.outputTokens);
        // inc() of 0 still creates the series, so every model that answered has one to rate().
        this.#modelCachedInputTokens.inc({ model: call.data.model }, call.data.cachedInputTokens ?? 0);
        this.#modelCost.inc({ model: call.data.model }, call.data.costUsd);
        if (call.data.responseMode !== undefined) this.#modelCalls.inc({ model: call.data.model, response_mode: call.data.responseMode });
        for (const fallback of call.data.responseModeFallbacks ?? [])
          this.#responseModeFallbacks.inc({ model: call.data.model, from: fallback.from, to: fallback.to });
      } else if (entry.type === "model.output_invalid") {
        const invalid = invalidOutputData.safeParse(entry.data);
        if (invalid.success) this.#validationFailures.inc({ chain: chainId, step: stepId, model: invalid.data.model });
      }
    }
  }
}
