import type { ChainRegistry } from "../core/chain-registry.js";
import { describeError } from "../core/errors.js";
import type {
  AlertSource,
  AlertStore,
  ChainStore,
  Clock,
  DeliveryOutcome,
  IncidentChange,
  IncidentRecord,
  IncidentSummary,
  IncidentUpdateBatch,
  Logger,
} from "../core/ports.js";
import type { Runner } from "../core/runner.js";
import { recoverIncidentRun, type IncidentRecovery } from "./incident-recovery.js";

/**
 * Alert deliveries into runs: an opened incident starts the incident chain (once, across
 * processes and restarts); new and resolved alerts of an incident that has a run go to that
 * run's thread. Incidents accepted but never started (the process died between the 202 and the
 * start) are started by `startMissing()` at start-up; the run id is derived from the incident's,
 * so no incident ever gets two runs. A new alert for an open incident whose run failed or expired
 * takes that run up again (`incident-recovery.ts`): an incident is never left open with no run
 * working on it.
 *
 * Thread updates come from the database, not from memory: the delivery's transaction wrote what
 * the thread is owed (the store's outbox), a timer only says when to look, and `postOwed()` at
 * start-up posts what a process that died still owed. Each batch is posted under its own key.
 */

/** Where updates of a running incident are shown (the Slack thread of its run). */
export interface IncidentUpdates {
  /**
   * Post `change` in the incident's run thread, once per `key` (a repeat with the same key must
   * not post again). Throws when it cannot yet (no thread): the batch stays owed.
   */
  post(incident: IncidentRecord, change: IncidentChange, key: string): Promise<void>;
  /**
   * Tell the incident's thread (the thread of `recovery.previousRunId`) that a new alert took its
   * ended run up again, once per `recovery.key`. Throws when it cannot (no thread).
   */
  postRecovery(incident: IncidentSummary, recovery: IncidentRecovery): Promise<void>;
}

export interface IncidentRunsOptions {
  alerts: AlertStore;
  runner: Pick<Runner, "start" | "retry">;
  /** Reads an incident's run, to see whether it ended and needs taking up again. */
  runs: Pick<ChainStore, "getRun">;
  chains: ChainRegistry;
  clock: Clock;
  logger: Logger;
  chainId: string;
  incidentChannel: string | undefined;
  /**
   * Pinned on each run's origin as the channel it is shown in, when neither its chain nor
   * BATON_SLACK_CHANNEL names one (then it is BATON_INCIDENT_CHANNEL): a run is never unseen.
   */
  runChannel?: string | undefined;
  oncall: ReadonlyArray<string>;
  updates?: IncidentUpdates;
  /**
   * Later alerts of one incident within this window go out as one thread reply: in an alert
   * storm the thread gets a summary every few seconds, not a message per delivery (and Slack's
   * rate limits are kept). Default 2 s. A failed post is tried again after twice the window,
   * doubling up to a minute.
   */
  updateWindowMs?: number;
}

const MAX_UPDATE_RETRY_MS = 60_000;

interface UpdateSchedule {
  timer: ReturnType<typeof setTimeout> | undefined;
  /** Posting now: a schedule request meanwhile schedules one more pass after it. */
  posting: Promise<void> | undefined;
  again: boolean;
  failures: number;
}

export class IncidentRuns {
  readonly #options: IncidentRunsOptions;
  readonly #schedules = new Map<string, UpdateSchedule>();
  #closed = false;

  constructor(options: IncidentRunsOptions) {
    this.#options = options;
  }

  /** After a delivery was persisted and answered: act on what changed (errors logged). */
  onChanges(outcome: DeliveryOutcome, source: AlertSource): void {
    if (outcome.duplicate) return;
    for (const change of outcome.changes) {
      this.#handle(change, source).catch((error: unknown) => {
        this.#options.logger.error(
          { incidentId: change.incident.id, runId: change.incident.runId ?? runIdFor(change.incident.id), change: change.change, error: describeError(error) },
          "could not act on an incident change; an unstarted incident is started at the next start-up",
        );
      });
    }
  }

  /**
   * Start the chain for every open incident that has no run yet, and take up again every open
   * incident's ended run that an alert arrived for after it ended (a process that died between
   * the 202 and the retry). Returns the run ids started or retried.
   */
  async startMissing(): Promise<string[]> {
    const open = await this.#options.alerts.listIncidents({ status: "open", limit: 1_000 });
    const started: string[] = [];
    for (const incident of open) {
      if (incident.runId !== null) {
        const recovery = await this.#recover(incident, incident.source);
        if (recovery) started.push(recovery.runId);
        continue;
      }
      const runId = await this.#start(incident, incident.source);
      if (runId) started.push(runId);
    }
    return started;
  }

  /**
   * Post every update the database says is owed (start-up: what a process that died had
   * accepted but not posted). Returns the incidents that were owed updates.
   */
  async postOwed(): Promise<string[]> {
    if (!this.#options.updates) return [];
    const owed = await this.#options.alerts.listIncidentsOwedUpdates(10_000);
    for (const incidentId of owed) this.#schedule(incidentId, 0);
    return owed;
  }

  async #handle(change: IncidentChange, source: AlertSource): Promise<void> {
    if (change.change === "opened") {
      await this.#start({ ...change.incident, alerts: change.newAlerts }, source);
      return;
    }
    // Any later alert (a new one, or Alertmanager repeating the group) finds the run working.
    if (change.change !== "resolved") await this.#recover(change.incident, source);
    if (change.change === "unchanged" || !this.#options.updates) return;
    // The delivery wrote the update to the outbox; look at it after the window, folding what
    // else arrives meanwhile into one reply.
    this.#schedule(change.incident.id, this.#options.updateWindowMs ?? 2_000);
  }

  #schedule(incidentId: string, delayMs: number): void {
    if (this.#closed) return;
    let schedule = this.#schedules.get(incidentId);
    if (!schedule) {
      schedule = { timer: undefined, posting: undefined, again: false, failures: 0 };
      this.#schedules.set(incidentId, schedule);
    }
    if (schedule.posting) {
      schedule.again = true;
      return;
    }
    if (schedule.timer) return;
    const due = schedule;
    due.timer = setTimeout(() => {
      due.timer = undefined;
      due.posting = this.#postAll(incidentId, due);
    }, delayMs);
    due.timer.unref();
  }

  /** Post the incident's owed batches until none is left; on failure, try again later. */
  async #postAll(incidentId: string, schedule: UpdateSchedule): Promise<void> {
    const { logger, updateWindowMs = 2_000 } = this.#options;
    try {
      schedule.again = false;
      while (await this.#postNext(incidentId));
      schedule.failures = 0;
      schedule.posting = undefined;
      // Updates that arrived while posting wait for the next window, folded into one reply.
      if (schedule.again) this.#schedule(incidentId, updateWindowMs);
      else this.#schedules.delete(incidentId);
    } catch (error) {
      schedule.failures += 1;
      schedule.posting = undefined;
      const retryMs = Math.min(MAX_UPDATE_RETRY_MS, updateWindowMs * 2 ** schedule.failures);
      logger.warn(
        { incidentId, runId: runIdFor(incidentId), error: describeError(error), retryInMs: retryMs },
        "could not post an incident update to its thread; it stays owed and is tried again",
      );
      this.#schedule(incidentId, retryMs);
    }
  }

  /** Claim and post one batch. False when nothing is owed. */
  async #postNext(incidentId: string): Promise<boolean> {
    const { alerts, updates, clock } = this.#options;
    const batch = await alerts.claimIncidentUpdates(incidentId);
    if (batch === undefined || updates === undefined) return false;
    // Read now, not at the delivery: the reply shows the incident as it is after the window.
    const incident = await alerts.getIncident(incidentId);
    if (incident === undefined) return false;
    if (incident.runId === null) throw new Error(`incident ${incidentId} has no run yet`);
    await updates.post(incident, changeOf(incident, batch), batch.key);
    await alerts.markIncidentUpdatesPosted(batch.key, clock.now());
    return true;
  }

  /** Post what is due now and stop scheduling (shutdown); what is left stays owed. */
  async flush(): Promise<void> {
    const waiting = [...this.#schedules.entries()];
    this.#closed = true;
    for (const [incidentId, schedule] of waiting) {
      if (schedule.timer) clearTimeout(schedule.timer);
      schedule.timer = undefined;
      await (schedule.posting ?? this.#postAll(incidentId, schedule));
    }
  }

  /** Take the incident's ended run up again when it needs it, and tell its thread. */
  async #recover(incident: IncidentSummary, source: AlertSource): Promise<IncidentRecovery | undefined> {
    const { alerts, runs, runner, chains, logger, updates } = this.#options;
    const recovery = await recoverIncidentRun(
      {
        alerts,
        runs,
        runner,
        chains,
        logger,
        startRun: async (incidentId, runSource, runId) => {
          const full = await alerts.getIncident(incidentId);
          return full === undefined ? undefined : this.#start(full, runSource, runId);
        },
      },
      incident,
      source,
    );
    if (recovery === undefined) return undefined;
    logger.info(
      { incidentId: incident.id, runId: recovery.runId, previousRunId: recovery.previousRunId, recovery: recovery.kind },
      "a new alert took the incident's ended run up again",
    );
    await updates?.postRecovery(incident, recovery).catch((error: unknown) => {
      // The run is working again either way; only the note is lost.
      logger.warn(
        { incidentId: incident.id, runId: recovery.runId, error: describeError(error) },
        "could not tell the incident's thread that its run was taken up again",
      );
    });
    return recovery;
  }

  async #start(incident: IncidentRecord, source: AlertSource, replacementRunId?: string): Promise<string | undefined> {
    const { runner, chains, alerts, chainId, incidentChannel, runChannel, oncall, logger } = this.#options;
    if (!chains.has(chainId)) {
      logger.error(
        { chainId, incidentId: incident.id, runId: runIdFor(incident.id) },
        `alerts arrived but chain "${chainId}" is not loaded; set BATON_INCIDENT_CHAIN or add the chain`,
      );
      return undefined;
    }
    const input = {
      incidentId: incident.id,
      source,
      title: incident.title,
      alerts: incident.alerts,
      ...(incidentChannel ? { incidentChannel } : {}),
      oncall: [...oncall],
    };
    // The run's id comes from the incident's, so a start repeated after a crash (or raced by a
    // redelivery) finds the run that exists instead of starting a second one.
    const { runId } = await runner.start(chainId, input, {
      runId: replacementRunId ?? runIdFor(incident.id),
      startedBy: `webhook:${source}`,
      origin: { source: `webhook:${source}`, reference: { incidentId: incident.id, ...(runChannel === undefined ? {} : { channel: runChannel }) } },
    });
    // A replacement is attached by the caller, in place of the run it replaces.
    if (replacementRunId === undefined) await alerts.attachRun(incident.id, runId);
    return runId;
  }
}

/** The incident's run id: `i_…` becomes `r_i_…`. */
export function runIdFor(incidentId: string): string {
  return `r_${incidentId}`;
}

/** A batch as the change the thread is told about. */
function changeOf(incident: IncidentRecord, batch: IncidentUpdateBatch): IncidentChange {
  return { incident, change: batch.resolves ? "resolved" : "updated", newAlerts: batch.newAlerts, resolvedAlerts: batch.resolvedAlerts };
}
