import type { ChainRegistry } from "../core/chain-registry.js";
import type { ReminderSink } from "../core/ports.js";
import { chainViewOf } from "./render/progress-card.js";
import { renderReminder } from "./render/reminder-message.js";
import type { RunProjection } from "./run-projection.js";

/**
 * Reminders and escalations as replies in the run's thread. The deadline job has already
 * claimed the ledger key (`reminder:<approval id>:<n>`, `escalation:<approval id>`); posting
 * under that same key records where the reply went. Throwing lets the job release the claim and
 * try again on its next tick.
 */
export class SlackReminderSink implements ReminderSink {
  readonly #projection: RunProjection;
  readonly #chains: ChainRegistry;

  constructor(projection: RunProjection, chains: ChainRegistry) {
    this.#projection = projection;
    this.#chains = chains;
  }

  async remind(reminder: Parameters<ReminderSink["remind"]>[0]): Promise<void> {
    const { approval, kind, mention, sequence, now } = reminder;
    const thread = await this.#projection.threadOf(approval.runId);
    if (!thread) throw new Error(`run ${approval.runId} has no card in Slack yet; the reminder waits for it`);
    const chain = chainViewOf(this.#chains.get(approval.chainId));
    const message = renderReminder({ approval, chain, now, ...(kind === "escalation" ? { escalateTo: mention } : {}) });
    const key = kind === "escalation" ? `escalation:${approval.id}` : `reminder:${approval.id}:${String(sequence)}`;
    await this.#projection.upsert(key, approval.runId, thread.channel, message, thread.ts);
  }
}
