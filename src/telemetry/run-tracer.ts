import { AsyncLocalStorage } from "node:async_hooks";
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, TraceFlags, type Context, type Span, type Tracer } from "@opentelemetry/api";
import type { EventBus } from "../core/event-bus.js";
import type { ApprovalRecord, RunOrigin } from "../core/records.js";
import type { RunnerEvents } from "../core/runner-types.js";
import { runTraceIds, type RunAwareIdGenerator } from "./run-ids.js";
import { BATON } from "./span-attributes.js";

/** The run and step whose work is running now (model, Slack and GitHub calls made there belong to it). */
export interface StepScope {
  runId: string;
  chainId: string;
  stepId?: string;
}

/**
 * Turns the runner's events into spans: one trace per run (its root span lives from start to
 * end, across approval waits), a span per step, a span per approval wait (built from the
 * approval record when it is decided, so a restart in between loses nothing). Model, Slack and
 * GitHub calls find their parent through `parentOf` and the current `scope`.
 */
export class RunTracer {
  readonly #tracer: Tracer;
  readonly #ids: RunAwareIdGenerator;
  readonly #runs = new Map<string, Span>();
  readonly #steps = new Map<string, Span>();
  readonly #threadOf: ((runId: string) => Promise<{ channel: string; ts: string } | undefined>) | undefined;
  /** Entered when a step starts: the executor's calls after it (in the same async chain) see it. */
  readonly scope = new AsyncLocalStorage<StepScope>();

  constructor(tracer: Tracer, ids: RunAwareIdGenerator, threadOf?: (runId: string) => Promise<{ channel: string; ts: string } | undefined>) {
    this.#tracer = tracer;
    this.#ids = ids;
    this.#threadOf = threadOf;
  }

  /** The context a span of this run (and step, when given) should start in. */
  parentOf(runId: string, stepId?: string): Context {
    const step = stepId === undefined ? undefined : this.#steps.get(stepKey(runId, stepId));
    if (step) return trace.setSpan(ROOT_CONTEXT, step);
    const run = this.#runs.get(runId);
    if (run) return trace.setSpan(ROOT_CONTEXT, run);
    // A run this process did not start: its root span's ids are derived from the run id.
    return trace.setSpanContext(ROOT_CONTEXT, { ...runTraceIds(runId), traceFlags: TraceFlags.SAMPLED, isRemote: true });
  }

  /** The parent of a call made now: the current step's span, or none (a trace of its own). */
  currentParent(): { context: Context; scope: StepScope | undefined } {
    const scope = this.scope.getStore();
    return scope === undefined ? { context: ROOT_CONTEXT, scope } : { context: this.parentOf(scope.runId, scope.stepId), scope };
  }

  /** Subscribe to the runner; returns the function that unsubscribes (and ends open spans). */
  attach(events: EventBus<RunnerEvents>): () => void {
    const unsubscribers = [
      events.on("run.started", ({ runId, chainId, origin }) => this.#runStarted(runId, chainId, origin)),
      events.on("step.started", ({ runId, chainId, stepId, stepIndex }) => {
        const span = this.#tracer.startSpan(
          `step ${stepId}`,
          { kind: SpanKind.INTERNAL, attributes: { [BATON.runId]: runId, [BATON.chainId]: chainId, [BATON.stepId]: stepId, [BATON.stepIndex]: stepIndex } },
          this.parentOf(runId),
        );
        this.#steps.get(stepKey(runId, stepId))?.end();
        this.#steps.set(stepKey(runId, stepId), span);
        this.scope.enterWith({ runId, chainId, stepId });
      }),
      events.on("step.finished", ({ runId, stepId, status }) => this.#endStep(runId, stepId, { [BATON.stepStatus]: status })),
      events.on("approval.requested", ({ approval }) =>
        this.#endStep(approval.runId, approval.stepId, { [BATON.stepStatus]: "awaiting_approval", [BATON.approvalId]: approval.id }),
      ),
      events.on("approval.decided", ({ approval }) => {
        this.#approvalDecided(approval);
        // The decision's own work (the card updated, the run going on) belongs to the run.
        this.scope.enterWith({ runId: approval.runId, chainId: approval.chainId });
      }),
      events.on("run.finished", async ({ runId, status, error }) => {
        for (const [key, span] of this.#steps) {
          if (!key.startsWith(`${runId}\u0000`)) continue;
          if (error) span.setStatus({ code: SpanStatusCode.ERROR, message: error.code });
          span.end();
          this.#steps.delete(key);
        }
        const span = this.#runs.get(runId);
        if (!span) return;
        this.#runs.delete(runId);
        span.setAttribute(BATON.runStatus, status);
        if (error) span.setStatus({ code: SpanStatusCode.ERROR, message: `${error.code}: ${error.message.slice(0, 200)}` });
        try {
          const thread = await this.#threadOf?.(runId);
          if (thread) span.setAttributes({ [BATON.slackChannel]: thread.channel, [BATON.slackThread]: thread.ts });
        } finally {
          span.end();
        }
      }),
    ];
    return () => {
      for (const unsubscribe of unsubscribers) unsubscribe();
      // Runs still waiting (for a person, usually) end here for this process; a process that
      // resumes them parents its spans on the same derived root span ids.
      for (const span of this.#runs.values()) span.setAttribute(BATON.runStatus, "process_stopped");
      for (const span of [...this.#steps.values(), ...this.#runs.values()]) span.end();
      this.#steps.clear();
      this.#runs.clear();
    };
  }

  #runStarted(runId: string, chainId: string, origin: RunOrigin | null): void {
    this.#ids.useNext(runTraceIds(runId));
    const attributes: Record<string, string> = { [BATON.runId]: runId, [BATON.chainId]: chainId };
    if (origin) attributes[BATON.origin] = origin.source;
    const channel = origin?.source === "slack" ? origin.reference?.["channel"] : undefined;
    if (channel !== undefined) attributes[BATON.slackChannel] = channel;
    this.#runs.set(runId, this.#tracer.startSpan(`run ${chainId}`, { kind: SpanKind.INTERNAL, attributes, root: true }, ROOT_CONTEXT));
    this.scope.enterWith({ runId, chainId });
  }

  #endStep(runId: string, stepId: string, attributes: Record<string, string>): void {
    const key = stepKey(runId, stepId);
    const span = this.#steps.get(key);
    if (!span) return;
    span.setAttributes(attributes);
    span.end();
    this.#steps.delete(key);
  }

  #approvalDecided(approval: ApprovalRecord): void {
    const span = this.#tracer.startSpan(
      `approval ${approval.stepId}`,
      {
        kind: SpanKind.INTERNAL,
        startTime: approval.requestedAt,
        attributes: {
          [BATON.runId]: approval.runId,
          [BATON.chainId]: approval.chainId,
          [BATON.stepId]: approval.stepId,
          [BATON.approvalId]: approval.id,
          [BATON.approvalRound]: approval.round,
          [BATON.approvalDecision]: approval.status,
        },
      },
      this.parentOf(approval.runId),
    );
    span.end(approval.decidedAt ?? approval.requestedAt);
  }
}

const stepKey = (runId: string, stepId: string): string => `${runId}\u0000${stepId}`;
