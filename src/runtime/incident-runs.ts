import type { ChainRegistry } from "../core/chain-registry.js";
import { describeError } from "../core/errors.js";
import type { AlertSource, AlertStore, Clock, DeliveryOutcome, IncidentChange, IncidentRecord, Logger } from "../core/ports.js";
import type { Runner } from "../core/runner.js";

/**
 * Alert deliveries into runs: an opened incident starts the incident chain (once, across
 * processes and restarts); new and resolved alerts of an incident
 * that has a run go to that run's thread. Incidents accepted but never started (the process died
 * between the 202 and the start) are started by `startMissing()` at start-up; the run id is
 * derived from the incident's, so no incident ever gets two runs.
 */

/** Where updates of a running incident are shown (the Slack thread of its run). */
export interface IncidentUpdates {
  post(incident: IncidentRecord, change: IncidentChange, deliveryId: string): Promise<void>;
}

export interface IncidentRunsOptions {
  alerts: AlertStore;
  runner: Pick<Runner, "start">;
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
   * rate limits are kept). Default 2 s.
   */
  updateWindowMs?: number;
}

interface PendingUpdate {
  change: IncidentChange;
  deliveryId: string;
  timer: ReturnType<typeof setTimeout>;
}

export class IncidentRuns {
  readonly #options: IncidentRunsOptions;
  readonly #pending = new Map<string, PendingUpdate>();

  constructor(options: IncidentRunsOptions) {
    this.#options = options;
  }

  /** After a delivery was persisted and answered: act on what changed (errors logged). */
  onChanges(outcome: DeliveryOutcome, source: AlertSource): void {
    if (outcome.duplicate) return;
    for (const change of outcome.changes) {
      this.#handle(change, source, outcome.deliveryId).catch((error: unknown) => {
        this.#options.logger.error({ incidentId: change.incident.id, runId: change.incident.runId ?? runIdFor(change.incident.id), change: change.change, error: describeError(error) }, "could not act on an incident change; an unstarted incident is started at the next start-up");
      });
    }
  }

  /** Start the chain for every open incident that has no run yet. Returns the run ids started. */
  async startMissing(): Promise<string[]> {
    const open = await this.#options.alerts.listIncidents({ status: "open", limit: 1_000 });
    const started: string[] = [];
    for (const incident of open) {
      if (incident.runId !== null) continue;
      const runId = await this.#start(incident, incident.source);
      if (runId) started.push(runId);
    }
    return started;
  }

  async #handle(change: IncidentChange, source: AlertSource, deliveryId: string): Promise<void> {
    if (change.change === "opened") {
      await this.#start({ ...change.incident, alerts: change.newAlerts }, source);
      return;
    }
    if (change.change === "unchanged") return;
    if (!this.#options.updates) return;
    const incidentId = change.incident.id;
    const pending = this.#pending.get(incidentId);
    if (pending) {
      // Fold this change into the one waiting: more alerts, more resolutions, the latest state.
      pending.change = {
        incident: change.incident,
        change: change.change === "resolved" ? "resolved" : pending.change.change,
        newAlerts: [...pending.change.newAlerts, ...change.newAlerts],
        resolvedAlerts: [...pending.change.resolvedAlerts, ...change.resolvedAlerts],
      };
      pending.deliveryId = deliveryId;
      return;
    }
    const timer = setTimeout(() => {
      const due = this.#pending.get(incidentId);
      this.#pending.delete(incidentId);
      if (due) {
        this.#post(due).catch((error: unknown) => this.#options.logger.warn({ incidentId, runId: runIdFor(incidentId), error: describeError(error) }, "could not post an incident update to its thread"));
      }
    }, this.#options.updateWindowMs ?? 2_000);
    timer.unref();
    this.#pending.set(incidentId, { change, deliveryId, timer });
  }

  async #post(pending: PendingUpdate): Promise<void> {
    // Read now, not at the delivery: the reply shows the incident as it is after the window.
    const incident = await this.#options.alerts.getIncident(pending.change.incident.id);
    if (incident !== undefined && incident.runId !== null) await this.#options.updates?.post(incident, pending.change, pending.deliveryId);
  }

  /** Post what is waiting now (shutdown). */
  async flush(): Promise<void> {
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const update of pending) {
      clearTimeout(update.timer);
      await this.#post(update).catch((error: unknown) => this.#options.logger.warn({ incidentId: update.change.incident.id, runId: runIdFor(update.change.incident.id), error: describeError(error) }, "could not post an incident update to its thread"));
    }
  }

  async #start(incident: IncidentRecord, source: AlertSource): Promise<string | undefined> {
    const { runner, chains, alerts, chainId, incidentChannel, runChannel, oncall, logger } = this.#options;
    if (!chains.has(chainId)) {
      logger.error({ chainId, incidentId: incident.id, runId: runIdFor(incident.id) }, `alerts arrived but chain "${chainId}" is not loaded; set BATON_INCIDENT_CHAIN or add the chain`);
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
    const { runId } = await runner.start(chainId, input, { runId: runIdFor(incident.id), startedBy: `webhook:${source}`, origin: { source: `webhook:${source}`, reference: { incidentId: incident.id, ...(runChannel === undefined ? {} : { channel: runChannel }) } } });
    await alerts.attachRun(incident.id, runId);
    return runId;
  }
}

/** The incident's run id: `i_…` becomes `r_i_…`. */
export function runIdFor(incidentId: string): string {
  return `r_${incidentId}`;
}
