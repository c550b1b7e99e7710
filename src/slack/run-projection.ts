import type { ChainRegistry } from "../core/chain-registry.js";
import { describeError, isBatonError } from "../core/errors.js";
import type { ApprovalRecord, ChainStore, Clock, Logger, MessageLedger, RunRecord } from "../core/ports.js";
import { renderApprovalCard } from "./render/approval-card.js";
import { chainViewOf, renderProgressCard } from "./render/progress-card.js";
import { renderStepOutputMessage } from "./render/step-output-message.js";
import type { SlackMessage } from "./render/types.js";
import { type FileToUpload, LedgeredPoster } from "./ledgered-poster.js";
import { isPermanentSlackError, slackErrorCode, type SlackClient } from "./slack-web-client.js";

/**
 * A run's Slack view, as a projection of the store: one progress card in the run's channel,
 * each finished step's output and each approval card in its thread. `sync(runId)` brings Slack
 * up to what the store says, whatever happened before (a failed post, a restart): it is
 * idempotent, posts what the ledger has not seen, and updates a message only when what it shows
 * changed. Syncs of one run never overlap; a request during a sync runs once more after it, and
 * requests within `coalesceMs` of each other are served by one sync.
 * A failure is retried with backoff and never touches the run: the store is the truth.
 */

export interface RunProjectionOptions {
  store: ChainStore;
  ledger: MessageLedger;
  chains: ChainRegistry;
  client: SlackClient;
  clock: Clock;
  logger: Logger;
  scripted: boolean;
  /** For runs that did not start in a channel and whose chain names none. */
  defaultChannel: string | undefined;
  /** Told once when a run's channel cannot be posted to (the starter hears about it). */
  onUndeliverable?: (run: RunRecord, channel: string, reason: string) => void;
  /** First retry delay; doubles up to five minutes. Default 1 s. */
  retryBaseMs?: number;
  /**
   * How long a sync waits for more changes of the same run before it reads the store. A run
   * whose steps finish in quick succession then costs one card update instead of one per event,
   * which keeps baton under Slack's per-channel rate limits and off the acknowledgement path.
   * Default 200 ms.
   */
  coalesceMs?: number;
}

interface RunSyncState {
  running: Promise<void> | undefined;
  again: boolean;
  failures: number;
  retry: ReturnType<typeof setTimeout> | undefined;
}

const MAX_RETRY_MS = 5 * 60_000;

export const cardKey = (runId: string): string => `card:${runId}`;
export const approvalKey = (approvalId: string): string => `approval:${approvalId}`;

export class RunProjection {
  readonly #options: RunProjectionOptions;
  readonly #states = new Map<string, RunSyncState>();
  readonly #undeliverable = new Set<string>();
  #closed = false;

  readonly #poster: LedgeredPoster;

  constructor(options: RunProjectionOptions) {
    this.#options = options;
    this.#poster = new LedgeredPoster(options);
  }

  /** The channel a run is shown in: where it started, else its chain's, else the default. */
  channelOf(run: RunRecord): string | undefined {
    const fromOrigin = run.origin?.reference?.["channel"];
    if (fromOrigin) return fromOrigin;
    const chain = this.#options.chains.has(run.chainId) ? this.#options.chains.get(run.chainId) : undefined;
    return chain?.channel ?? this.#options.defaultChannel;
  }

  /** Ask for the run's Slack view to be brought up to date (fire and forget). */
  request(runId: string): void {
    if (this.#closed) return;
    const state = this.#stateOf(runId);
    if (state.running) {
      state.again = true;
      return;
    }
    state.running = this.#loop(runId, state);
  }

  /** Resolves when no sync of this run is running or waiting to retry (tests, shutdown). */
  async settled(runId: string): Promise<void> {
    for (let state = this.#states.get(runId); state?.running; state = this.#states.get(runId)) await state.running;
  }

  /** Resolves when no sync of any run is running (retries may still be scheduled). */
  async idle(): Promise<void> {
    for (;;) {
      const running = [...this.#states.values()].map((state) => state.running).filter((promise): promise is Promise<void> => promise !== undefined);
      if (running.length === 0) return;
      await Promise.all(running);
    }
  }

  close(): void {
    this.#closed = true;
    for (const state of this.#states.values()) if (state.retry) clearTimeout(state.retry);
  }

  /** The message the run's thread hangs off (its progress card), once it is posted. */
  async threadOf(runId: string): Promise<{ channel: string; ts: string } | undefined> {
    const card = await this.#options.ledger.getMessage(cardKey(runId));
    return card?.ts ? { channel: card.channel, ts: card.ts } : undefined;
  }

  /**
   * Post `message` under `key` once, across crashes too (or update it in place when it shows
   * something else now). Returns the message's ts. Used for cards, thread replies, reminders.
   */
  upsert(key: string, runId: string | null, channel: string, message: SlackMessage, threadTs?: string): Promise<string> {
    return this.#poster.upsert(key, runId, channel, message, threadTs);
  }

  /** Upload a file once per `key` into a channel or thread. Returns the file id. */
  uploadOnce(key: string, runId: string, channel: string, file: FileToUpload, threadTs?: string): Promise<string> {
    return this.#poster.uploadOnce(key, runId, channel, file, threadTs);
  }

  #stateOf(runId: string): RunSyncState {
    let state = this.#states.get(runId);
    if (!state) {
      state = { running: undefined, again: false, failures: 0, retry: undefined };
      this.#states.set(runId, state);
    }
    return state;
  }

  async #loop(runId: string, state: RunSyncState): Promise<void> {
    const coalesceMs = this.#options.coalesceMs ?? 200;
    try {
      if (coalesceMs > 0) await new Promise((resolve) => setTimeout(resolve, coalesceMs));
      do {
        state.again = false;
        try {
          await this.#sync(runId);
          state.failures = 0;
        } catch (error) {
          this.#failed(runId, state, error);
          return;
        }
      } while (state.again && !this.#closed);
    } finally {
      state.running = undefined;
      if (!state.retry && !state.again) this.#states.delete(runId);
    }
  }

  #failed(runId: string, state: RunSyncState, error: unknown): void {
    const { logger, retryBaseMs = 1_000 } = this.#options;
    state.failures += 1;
    if (isPermanentSlackError(error)) {
      logger.warn({ runId, error: slackErrorCode(error) }, "Slack refused a run's message; not retrying until the run changes");
      return;
    }
    const delay = Math.min(MAX_RETRY_MS, retryBaseMs * 2 ** (state.failures - 1));
    logger.warn({ runId, error: describeError(error), retryInMs: delay }, "could not bring a run's Slack messages up to date; will retry");
    state.retry = setTimeout(() => {
      state.retry = undefined;
      this.request(runId);
    }, delay);
    state.retry.unref();
  }

  async #sync(runId: string): Promise<void> {
    const { store, chains, scripted, clock } = this.#options;
    const run = await store.getRun(runId);
    if (!run) return;
    const channel = this.channelOf(run);
    if (channel === undefined || !chains.has(run.chainId)) return;
    const chain = chainViewOf(chains.get(run.chainId));
    const [steps, approvals, retry, lineage] = await Promise.all([
      store.getSteps(runId),
      store.listApprovals({ runId, limit: 1_000 }),
      run.status === "running" ? store.getRetry(runId) : undefined,
      store.getLineage(runId),
    ]);
    const now = clock.now();
    let cardTs: string;
    try {
      cardTs = await this.upsert(cardKey(runId), runId, channel, renderProgressCard({ run, chain, steps, approvals, scripted, now, retry, lineage }));
    } catch (error) {
      if (isPermanentSlackError(error)) this.#tellUndeliverable(run, channel, slackErrorCode(error) ?? describeError(error));
      throw error;
    }
    const gated = new Set(approvals.filter((approval) => approval.status === "approved" || approval.status === "edited").map((approval) => approval.stepIndex));
    const approvalsByStep = new Map<number, ApprovalRecord[]>();
    for (const approval of approvals) approvalsByStep.set(approval.stepIndex, [...(approvalsByStep.get(approval.stepIndex) ?? []), approval]);
    for (let index = 0; index < run.stepCount; index += 1) {
      for (const approval of (approvalsByStep.get(index) ?? []).sort((left, right) => left.round - right.round)) {
        const card = renderApprovalCard({ approval, run, chain, title: this.#gateTitle(run.chainId, index), scripted, now });
        await this.upsert(approvalKey(approval.id), runId, channel, card, cardTs);
      }
      const step = steps.find((candidate) => candidate.stepIndex === index);
      // A gated step's output is on its approval card already.
      if (!step || gated.has(index)) continue;
      const key = `step:${runId}:${String(index)}:${String(step.executions)}`;
      const existing = await this.#options.ledger.getMessage(key);
      if (existing?.ts) continue;
      await this.upsert(key, runId, channel, renderStepOutputMessage({ run, chain, step, scripted }), cardTs);
    }
  }

  #gateTitle(chainId: string, stepIndex: number): string | undefined {
    try {
      return this.#options.chains.get(chainId).steps[stepIndex]?.approval?.title;
    } catch (error) {
      if (isBatonError(error)) return undefined;
      throw error;
    }
  }

  #tellUndeliverable(run: RunRecord, channel: string, reason: string): void {
    if (this.#undeliverable.has(run.id)) return;
    this.#undeliverable.add(run.id);
    this.#options.onUndeliverable?.(run, channel, reason);
  }
}
