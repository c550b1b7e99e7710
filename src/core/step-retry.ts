import type { ChainDefinition, Step } from "./chain.js";
import { durationToMs } from "./duration.js";
import type { AuditEventInput, RunFailure, RunRecord, RunRetry } from "./ports.js";
import { DEFAULT_OUTAGE_WAIT, nextAttemptAt, resolveRetryPolicy } from "./retry-policy.js";
import type { ExecutionEnvironment } from "./runner-types.js";
import { classifyStepFault } from "./step-errors.js";

export interface FailedStep {
  run: RunRecord;
  chain: ChainDefinition;
  step: Step;
  cursor: number;
  /** What the step threw or returned, before it was turned into the run's failure. */
  cause: unknown;
  failure: RunFailure;
  startedAt: number;
  at: number;
  round: number;
  /** The step's audit entries (model calls), written with the retry. */
  events: AuditEventInput[];
}

/**
 * After a step failed: when the fault is transient and the step's policy and the chain's outage
 * limit allow another try, rest the run (still `running`, no lease) until the next try and say
 * `waiting`; `fail` otherwise. `lost` when the run changed under this process.
 */
export async function scheduleRetryOrFail(
  environment: ExecutionEnvironment,
  failed: FailedStep,
): Promise<{ kind: "waiting"; retry: RunRetry } | { kind: "fail" } | { kind: "lost" }> {
  const { store, owner } = environment;
  const { run, chain, step, cursor, at } = failed;
  const fault = classifyStepFault(failed.cause, at);
  if (!fault.retryable) return { kind: "fail" };
  const previous = await store.getRetry(run.id);
  const earlier = previous !== undefined && previous.stepIndex === cursor ? previous : undefined;
  const attemptsMade = (earlier?.attempt ?? 0) + 1;
  const waitingSince = earlier?.waitingSince ?? at;
  const next = nextAttemptAt({
    policy: resolveRetryPolicy(step.kind, step.retry),
    attemptsMade,
    waitingSince,
    now: at,
    retryAfterMs: fault.retryAfterMs,
    outageWaitMs: durationToMs(chain.outageWait ?? DEFAULT_OUTAGE_WAIT),
  });
  if (next === null) return { kind: "fail" };
  const retry: RunRetry = {
    runId: run.id,
    chainId: chain.id,
    stepId: step.id,
    stepIndex: cursor,
    attempt: attemptsMade,
    nextAttemptAt: next,
    waitingSince,
    waitingFor: fault.waitingFor,
    code: failed.failure.code,
    message: failed.failure.message,
  };
  const scheduled = await store.scheduleRetry({
    guard: { runId: run.id, owner, cursor },
    retry,
    at,
    events: [
      ...failed.events,
      {
        runId: run.id,
        at,
        type: "step.retry_scheduled",
        stepId: step.id,
        actor: null,
        data: {
          startedAt: failed.startedAt,
          round: failed.round,
          attempt: attemptsMade,
          nextAttemptAt: next,
          waitingFor: fault.waitingFor,
          code: retry.code,
          message: retry.message,
        },
      },
    ],
  });
  return scheduled ? { kind: "waiting", retry } : { kind: "lost" };
}
