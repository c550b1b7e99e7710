import type { ActionServices, ActionStep, ChainResources, ErasedContext } from "./chain.js";
import { BatonError } from "./errors.js";
import { withLogFields } from "./log-fields.js";
import type { AuditEventInput, ChainStore, Clock, Logger, Notifier } from "./ports.js";
import { listIssues, parseWith } from "./validation.js";

export interface ActionStepEnvironment {
  store: ChainStore;
  notifier: Notifier;
  clock: Clock;
  resources: ChainResources;
  logger: Logger;
}

/**
 * The idempotency key of a step execution. A re-run after "request changes" is a new round
 * with its own key, so its side effects happen again on purpose; a re-run after a crash is the
 * same round, so they do not.
 */
export function idempotencyKeyFor(runId: string, stepId: string, round: number): string {
  return round === 1 ? `${runId}:${stepId}` : `${runId}:${stepId}:round-${round}`;
}

/** Run an action step's code with its services, and check its result against its schema. */
export async function runActionStep(
  environment: ActionStepEnvironment,
  step: ActionStep,
  context: ErasedContext,
  round: number,
  signal: AbortSignal,
): Promise<{ output: unknown; events: AuditEventInput[] }> {
  const { store, clock } = environment;
  const idempotencyKey = idempotencyKeyFor(context.run.id, step.id, round);
  const events: AuditEventInput[] = [];
  let onceCalls = 0;

  const services: ActionServices = {
    notifier: environment.notifier,
    logger: withLogFields(environment.logger, { runId: context.run.id, chainId: context.run.chainId, stepId: step.id }),
    resources: environment.resources,
    store,
    clock,
    idempotencyKey,
    signal,
    async once<Result>(effect: () => Promise<Result>): Promise<Result> {
      // Several effects in one step each get their own key, in call order.
      onceCalls += 1;
      const key = onceCalls === 1 ? idempotencyKey : `${idempotencyKey}#${onceCalls}`;
      const recorded = await store.getEffect(key);
      if (recorded) {
        events.push({ runId: context.run.id, at: clock.now(), type: "effect.replayed", stepId: step.id, actor: null, data: { key } });
        return recorded.result as Result;
      }
      const result = await effect();
      await store.recordEffect({ key, runId: context.run.id, result: result === undefined ? null : result, recordedAt: clock.now() });
      return result;
    },
  };

  const output = await step.run(context, services);
  if (!step.output) return { output: output === undefined ? null : output, events };
  const parsed = parseWith(step.output, output);
  if (!parsed.ok) {
    throw new BatonError(
      "STEP_FAILED",
      `Action step "${step.id}" returned a value its output schema rejects:\n${listIssues(parsed.issues)}\nFix the step's code or its schema.`,
      {
        stepId: step.id,
        issues: parsed.issues,
      },
    );
  }
  return { output: parsed.value, events };
}
