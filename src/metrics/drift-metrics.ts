import { Counter, type Registry } from "prom-client";
import type { EventBus } from "../core/event-bus.js";
import type { AuditEventInput } from "../core/records.js";
import type { RunnerEvents } from "../core/runner-types.js";
import { answerBehind, answerLabels, isDriftDecision, wasRepaired } from "../evals/drift-stats.js";

/**
 * Drift counters for `/metrics` (a Grafana panel: the share of edits per prompt version over a
 * week): model answers and whether they needed a repair, and people's decisions on proposals,
 * by chain, step, model and prompt version. Prompt versions change only when a chain's prompt,
 * schema, model or temperature does, so the labels stay bounded.
 */
export class DriftMetrics {
  readonly #answers: Counter<"chain" | "step" | "model" | "prompt_version" | "repaired">;
  readonly #decisions: Counter<"chain" | "step" | "model" | "prompt_version" | "decision">;
  readonly #eventsOf: (runId: string) => Promise<ReadonlyArray<AuditEventInput>>;

  /** `eventsOf` reads a run's audit log, to find the answer behind a decision (it may predate this process). */
  constructor(registry: Registry, eventsOf: (runId: string) => Promise<ReadonlyArray<AuditEventInput>>) {
    const registers = [registry];
    this.#eventsOf = eventsOf;
    this.#answers = new Counter({
      name: "baton_model_answers_total",
      help: "Valid model answers, by chain, step, model, prompt version and whether they needed a repair (a re-ask after an invalid answer).",
      labelNames: ["chain", "step", "model", "prompt_version", "repaired"],
      registers,
    });
    this.#decisions = new Counter({
      name: "baton_proposal_decisions_total",
      help: "People's decisions on model proposals (approved, edited, changes_requested, rejected), by chain, step, model and prompt version.",
      labelNames: ["chain", "step", "model", "prompt_version", "decision"],
      registers,
    });
  }

  /** Subscribe to the runner; returns the function that unsubscribes. */
  attach(events: EventBus<RunnerEvents>): () => void {
    const unsubscribers = [
      events.on("step.audited", ({ chainId, stepId, entries }) => {
        for (const entry of entries) {
          if (entry.type !== "model.call" || entry.data["outcome"] !== "valid") continue;
          const { model, promptVersion } = answerLabels(entry.data);
          this.#answers.inc({ chain: chainId, step: stepId, model, prompt_version: promptVersion, repaired: String(wasRepaired(entry.data)) });
        }
      }),
      events.on("approval.decided", async ({ approval }) => {
        if (!isDriftDecision(approval.status)) return;
        const answer = answerBehind(approval, await this.#eventsOf(approval.runId));
        if (!answer) return;
        const { model, promptVersion } = answerLabels(answer.data);
        this.#decisions.inc({ chain: approval.chainId, step: approval.stepId, model, prompt_version: promptVersion, decision: approval.status });
      }),
    ];
    return () => {
      for (const unsubscribe of unsubscribers) unsubscribe();
    };
  }
}
