import { idempotencyKeyFor } from "./action-step.js";
import type { ErasedContext, MapStep } from "./chain.js";
import { BatonError } from "./errors.js";
import { runModelStep, type ModelStepEnvironment } from "./model-step.js";
import type { AuditEventInput, ChainStore, StepUsage } from "./ports.js";

/**
 * Runs a map step: one model prompt per item, `concurrency` at a time. Each valid answer is
 * recorded at once under the item's own key (the effects table, `<run>:<step>#item-<n>`) with
 * its model-call events, so a restarted run finds it and asks only for the items not yet done.
 * An item that gets no valid answer is tried `itemRetries` more times; then the step fails,
 * naming the item, and no further items start (those in flight finish and are kept).
 */

export interface MapStepEnvironment extends ModelStepEnvironment {
  store: ChainStore;
}

export type MapStepResult =
  | { ok: true; output: unknown[]; usage: StepUsage; events: AuditEventInput[] }
  | { ok: false; error: BatonError; usage: StepUsage; events: AuditEventInput[] };

/** An item's usage as its effect recorded it; effects recorded before the cached figure lack it. */
type RecordedUsage = Omit<StepUsage, "cachedInputTokens"> & { cachedInputTokens?: number };

function addUsage(total: StepUsage, more: RecordedUsage): void {
  total.modelCalls += more.modelCalls;
  total.inputTokens += more.inputTokens;
  // An item answered before this figure existed has none recorded: it counts as 0 cached.
  total.cachedInputTokens += more.cachedInputTokens ?? 0;
  total.outputTokens += more.outputTokens;
  total.costUsd += more.costUsd;
}

export async function runMapStep(
  environment: MapStepEnvironment,
  step: MapStep,
  context: ErasedContext,
  round: number,
  signal: AbortSignal,
): Promise<MapStepResult> {
  const { store, clock } = environment;
  const items = step.items(context);
  const baseKey = idempotencyKeyFor(context.run.id, step.id, round);
  const results: unknown[] = new Array<unknown>(items.length);
  const usage: StepUsage = { modelCalls: 0, inputTokens: 0, cachedInputTokens: 0, outputTokens: 0, costUsd: 0 };
  const replayed: number[] = [];
  let failure: BatonError | undefined;
  let next = 0;

  const answer = async (index: number): Promise<void> => {
    const item = items[index];
    const key = `${baseKey}#item-${String(index + 1)}`;
    const recorded = await store.getEffect(key);
    if (recorded) {
      // The answer and what it cost, so the step's usage counts every item once.
      const { output, usage: itemUsage } = recorded.result as { output: unknown; usage: RecordedUsage };
      results[index] = output;
      addUsage(usage, itemUsage);
      replayed.push(index + 1);
      return;
    }
    const label = step.label(item, index);
    const itemStep = step.itemStep(item, index);
    const itemUsage: StepUsage = { modelCalls: 0, inputTokens: 0, cachedInputTokens: 0, outputTokens: 0, costUsd: 0 };
    for (let tries = 0; ; tries += 1) {
      const result = await runModelStep(environment, { step: itemStep, context, signal, item: index });
      addUsage(usage, result.usage);
      addUsage(itemUsage, result.usage);
      // The item's model calls go to the audit log now, with the item named: after a crash they
      // are there for the items that were answered.
      const events = result.events.map((event) => ({ ...event, data: { ...event.data, item: index + 1, itemLabel: label } }));
      if (result.ok) {
        await store.recordEffect({ key, runId: context.run.id, result: { output: result.output, usage: itemUsage }, recordedAt: clock.now() });
        if (events.length > 0) await store.appendEvents(events);
        results[index] = result.output;
        return;
      }
      if (events.length > 0) await store.appendEvents(events);
      if (tries >= step.itemRetries || signal.aborted) {
        failure ??= new BatonError(
          result.error.code,
          `Map step "${step.id}" could not answer ${label} (${String(index + 1)} of ${String(items.length)}): ${result.error.message}\nThe items answered so far are kept; a restart of this step asks only for the rest.`,
          { ...result.error.details, item: index + 1, itemLabel: label },
        );
        return;
      }
    }
  };

  const worker = async (): Promise<void> => {
    while (failure === undefined && !signal.aborted && next < items.length) {
      const index = next;
      next += 1;
      await answer(index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(step.concurrency, items.length) }, () => worker()));
  if (signal.aborted) throw signal.reason;
  const events: AuditEventInput[] =
    replayed.length > 0
      ? [
          {
            runId: context.run.id,
            at: clock.now(),
            type: "effect.replayed",
            stepId: step.id,
            actor: null,
            data: { items: replayed, reason: "answered before a restart" },
          },
        ]
      : [];
  if (failure) return { ok: false, error: failure, usage, events };
  return { ok: true, output: results, usage, events };
}
