import { runActionStep } from "./action-step.js";
import type { ChainDefinition, ChangeRequest, ErasedContext, Step } from "./chain.js";
import { durationToMs } from "./duration.js";
import { BatonError, describeError, isBatonError } from "./errors.js";
import { redactSecrets, redactSecretsIn } from "./redact-secrets.js";
import { runMapStep } from "./map-step.js";
import { runModelStep, type ModelStepEnvironment } from "./model-step.js";
import type { ApprovalRecord, AuditEventInput, RunFailure, RunRecord, StepUsage } from "./ports.js";
import type { ExecutionEnvironment } from "./runner-types.js";
import { scheduleRetryOrFail } from "./step-retry.js";

type StepOutcome =
  | { ok: true; output: unknown; usage: StepUsage; events: AuditEventInput[] }
  /** `cause`: what was thrown, when it was, so its class (RetryableError, ...) steers the retry. */
  | { ok: false; error: BatonError; cause?: unknown; usage: StepUsage; events: AuditEventInput[] };

const NO_USAGE: StepUsage = { modelCalls: 0, inputTokens: 0, cachedInputTokens: 0, outputTokens: 0, costUsd: 0 };

/** Change requests made on one step, oldest first, with the proposal each one rejected. */
function changeRequestsFor(approvals: ReadonlyArray<ApprovalRecord>, stepIndex: number): ChangeRequest[] {
  return approvals
    .filter((approval) => approval.stepIndex === stepIndex && approval.status === "changes_requested")
    .sort((first, second) => first.round - second.round)
    .map((approval) => ({ feedback: approval.comment ?? "", previousProposal: approval.proposal, requestedBy: approval.decidedBy ?? "unknown" }));
}

function failureOf(error: unknown, stepId: string): RunFailure {
  // What is stored in `runs.error` and shown on the card: credentials an API echoed back are cut.
  if (isBatonError(error)) return { code: error.code, message: redactSecrets(error.message), stepId, details: redactSecretsIn({ ...error.details }) };
  return { code: "STEP_FAILED", message: `Step "${stepId}" threw: ${describeError(error)}. Fix the step's code; the run can be started again.`, stepId };
}

async function executeStep(environment: ExecutionEnvironment, step: Step, context: ErasedContext, round: number, signal: AbortSignal): Promise<StepOutcome> {
  try {
    return await executeStepOrThrow(environment, step, context, round, signal);
  } catch (error) {
    // A prompt function or an action that throws fails its step, with the step named.
    if (signal.aborted) throw error;
    const failure = failureOf(error, step.id);
    return {
      ok: false,
      error: new BatonError(isBatonError(error) ? error.code : "STEP_FAILED", failure.message, failure.details ?? {}),
      cause: error,
      usage: NO_USAGE,
      events: [],
    };
  }
}

/** What a model call needs of the runner's environment (LLM and map steps alike). */
function modelEnvironmentOf(environment: ExecutionEnvironment): ModelStepEnvironment {
  return {
    llm: environment.llm,
    semaphore: environment.semaphore,
    clock: environment.clock,
    prices: environment.prices,
    defaultModel: environment.defaultModel,
    defaultFallbackModels: environment.fallbackModels,
    tokens: environment.tokens,
    contextLimits: environment.contextLimits,
  };
}

async function executeStepOrThrow(
  environment: ExecutionEnvironment,
  step: Step,
  context: ErasedContext,
  round: number,
  signal: AbortSignal,
): Promise<StepOutcome> {
  if (step.kind === "llm") return runModelStep(modelEnvironmentOf(environment), { step, context, signal });
  if (step.kind === "map") return runMapStep({ ...modelEnvironmentOf(environment), store: environment.store }, step, context, round, signal);
  const result = await runActionStep(environment, step, context, round, signal);
  return { ok: true, output: result.output, usage: NO_USAGE, events: result.events };
}

/**
 * Run a claimed run from its cursor until it finishes, fails or rests at an approval. Each
 * step's output and the new cursor commit together before the next step starts, so a crash
 * repeats at most the step that was running. Resolves, once the run no longer needs this
 * process, with the run as it now stands in the store, or `undefined` when another process or
 * a cancellation changed it underneath (read it back then).
 */
export async function executeRun(
  environment: ExecutionEnvironment,
  run: RunRecord,
  chain: ChainDefinition,
  signal: AbortSignal,
): Promise<RunRecord | undefined> {
  const { store, clock, events, owner, logger } = environment;
  // Reads only what this execution needs: a run at its first step has no outputs yet, and
  // approvals (which carry "request changes" feedback) matter only when a gated step is reached.
  const steps = run.cursor === 0 ? [] : await store.getSteps(run.id);
  let approvals: ReadonlyArray<ApprovalRecord> | undefined;
  const feedbackFor = async (step: Step, stepIndex: number): Promise<ChangeRequest[]> => {
    if (!step.approval) return [];
    approvals ??= await store.listApprovals({ runId: run.id, limit: 1_000 });
    return changeRequestsFor(approvals, stepIndex);
  };
  const outputs: Record<string, unknown> = {};
  for (const step of steps) outputs[step.stepId] = step.status === "skipped" ? undefined : step.output;
  const rested = (status: RunRecord["status"], cursor: number, at: number, error: RunFailure | null = null): RunRecord => ({
    ...run,
    status,
    cursor,
    updatedAt: at,
    finishedAt: status === "awaiting_approval" ? null : at,
    error,
    leaseOwner: null,
    leaseExpiresAt: null,
  });
  const runInfo = { id: run.id, chainId: run.chainId, startedBy: run.startedBy };
  const stepCount = chain.steps.length;
  let lastCommitAt = run.updatedAt;

  for (let cursor = run.cursor; cursor < stepCount; cursor += 1) {
    const step = chain.steps[cursor] as Step;
    const guard = { runId: run.id, owner, cursor };
    const feedback = await feedbackFor(step, cursor);
    const context: ErasedContext = { input: run.input, outputs, run: runInfo, feedback };
    const startedAt = clock.now();
    const isLast = cursor === stepCount - 1;
    const finishedEvents = (at: number): AuditEventInput[] =>
      isLast ? [{ runId: run.id, at, type: "run.finished", stepId: null, actor: null, data: { status: "succeeded" } }] : [];

    if (step.skipIf?.(context)) {
      const at = clock.now();
      const committed = await store.commitStep({
        guard,
        step: { runId: run.id, stepIndex: cursor, stepId: step.id, status: "skipped", output: null, startedAt, finishedAt: at, executions: 1, usage: NO_USAGE },
        nextStatus: isLast ? "succeeded" : "running",
        at,
        events: [{ runId: run.id, at, type: "step.skipped", stepId: step.id, actor: null, data: {} }, ...finishedEvents(at)],
      });
      if (!committed) return lostRun(logger, run.id, step.id);
      lastCommitAt = at;
      outputs[step.id] = undefined;
      events.emit("step.finished", {
        runId: run.id,
        chainId: chain.id,
        stepId: step.id,
        stepIndex: cursor,
        status: "skipped",
        output: undefined,
        usage: NO_USAGE,
        durationMs: at - startedAt,
      });
      continue;
    }

    events.emit("step.started", { runId: run.id, chainId: chain.id, stepId: step.id, stepIndex: cursor });
    const round = feedback.length + 1;
    const outcome = await executeStep(environment, step, context, round, signal);
    events.emit("step.audited", { runId: run.id, chainId: chain.id, stepId: step.id, entries: outcome.events });
    const at = clock.now();
    // No separate "step.started" entry: the entry that ends the step carries its start time,
    // which keeps the audit log (and the database) small on the hot path.

    if (!outcome.ok) {
      const error = failureOf(outcome.error, step.id);
      // A transient fault makes the run wait for its next try instead of failing (step-retry.ts).
      const retried = await scheduleRetryOrFail(environment, {
        run,
        chain,
        step,
        cursor,
        cause: outcome.cause ?? outcome.error,
        failure: error,
        startedAt,
        at,
        round,
        events: outcome.events,
      });
      if (retried.kind === "lost") return lostRun(logger, run.id, step.id);
      if (retried.kind === "waiting") {
        events.emit("run.waiting", { runId: run.id, chainId: chain.id, retry: retried.retry });
        return rested("running", cursor, at);
      }
      const finished = await store.finishRun({
        runId: run.id,
        fromStatuses: ["running"],
        owner,
        status: "failed",
        error,
        at,
        events: [
          ...outcome.events,
          {
            runId: run.id,
            at,
            type: "step.failed",
            stepId: step.id,
            actor: null,
            data: { startedAt, round, code: error.code, message: error.message, ...(error.code === "PROMPT_TOO_LARGE" ? { details: error.details } : {}) },
          },
          { runId: run.id, at, type: "run.finished", stepId: null, actor: null, data: { status: "failed", code: error.code } },
        ],
      });
      if (!finished) return undefined;
      events.emit("run.finished", { runId: run.id, chainId: chain.id, status: "failed", error });
      return rested("failed", cursor, at, error);
    }

    const policy = step.approval;
    // The floor is asked first and apart: `when` may read model output that input can steer.
    if (policy && (policy.floor?.(outcome.output) === true || policy.when === undefined || policy.when(context, outcome.output))) {
      const approval: ApprovalRecord = {
        id: environment.ids.next("a_"),
        runId: run.id,
        chainId: chain.id,
        stepId: step.id,
        stepIndex: cursor,
        round,
        status: "pending",
        proposal: outcome.output,
        approvers: [...(policy.approvers ?? chain.approvers)],
        allowSelfApproval: policy.allowSelfApproval ?? true,
        requestedBy: run.startedBy,
        requestedAt: at,
        deadlineAt: at + durationToMs(policy.deadline ?? chain.approvalDeadline),
        stepStartedAt: startedAt,
        stepUsage: outcome.usage,
        stepExecutions: round,
        decidedAt: null,
        decidedBy: null,
        editedOutput: null,
        comment: null,
      };
      const opened = await store.openApproval({
        guard,
        approval,
        at,
        events: [
          ...outcome.events,
          {
            runId: run.id,
            at,
            type: "approval.requested",
            stepId: step.id,
            actor: null,
            data: { startedAt, approvalId: approval.id, round, approvers: approval.approvers, deadlineAt: approval.deadlineAt },
          },
        ],
      });
      if (!opened) return undefined;
      events.emit("approval.requested", { approval });
      return rested("awaiting_approval", cursor, at);
    }

    const committed = await store.commitStep({
      guard,
      step: {
        runId: run.id,
        stepIndex: cursor,
        stepId: step.id,
        status: "succeeded",
        output: outcome.output,
        startedAt,
        finishedAt: at,
        executions: round,
        usage: outcome.usage,
      },
      nextStatus: isLast ? "succeeded" : "running",
      at,
      events: [
        ...outcome.events,
        { runId: run.id, at, type: "step.finished", stepId: step.id, actor: null, data: { startedAt, round } },
        ...finishedEvents(at),
      ],
    });
    if (!committed) return lostRun(logger, run.id, step.id);
    lastCommitAt = at;
    outputs[step.id] = outcome.output;
    events.emit("step.finished", {
      runId: run.id,
      chainId: chain.id,
      stepId: step.id,
      stepIndex: cursor,
      status: "succeeded",
      output: outcome.output,
      usage: outcome.usage,
      durationMs: at - startedAt,
    });
  }
  events.emit("run.finished", { runId: run.id, chainId: chain.id, status: "succeeded", error: null });
  return rested("succeeded", stepCount, lastCommitAt);
}

function lostRun(logger: ExecutionEnvironment["logger"], runId: string, stepId: string): undefined {
  logger.info({ runId, stepId }, "run changed under this process (cancelled or taken over); stopping");
  return undefined;
}
