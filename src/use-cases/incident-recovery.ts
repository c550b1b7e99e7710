import type { ChainRegistry } from "../core/chain-registry.js";
import { describeError, isBatonError } from "../core/errors.js";
import type { AlertSource, AlertStore, ChainStore, IncidentSummary, Logger, RunRecord, RunStatus } from "../core/ports.js";
import type { Runner } from "../core/runner.js";

/**
 * Incidents always have a live run. A new alert for an open incident whose run failed (a model
 * outage outlasted its wait, say) or expired (nobody answered its approval) takes that run up
 * again: a retry in place from the step that did not finish, or, when the run cannot be retried,
 * a new run of the incident as it is now. The incident's thread is told which.
 *
 * What decides it is durable: the delivery (written before its 202) moved the incident's
 * `updatedAt` past the run's end. So a process that died between the 202 and the retry leaves
 * the same facts, and the next start-up (`startMissing`) recovers the incident the same way.
 */

/** The run statuses a new alert takes an incident's run up again from. */
const RECOVERABLE_STATUSES: ReadonlyArray<RunStatus> = ["failed", "expired"];

/** What became of an incident's ended run, for its thread. */
export interface IncidentRecovery {
  kind: "retried" | "restarted";
  /** The run that had ended (its thread is where people were looking). */
  previousRunId: string;
  previousStatus: RunStatus;
  /** Why it had ended, when it failed: the error's code. */
  previousError: string | null;
  /** The run working on the incident now: the same one when retried. */
  runId: string;
  /** The step the retried run continues from; null for a new run. */
  fromStepId: string | null;
  /** Posts this note once, however often it is asked to. */
  key: string;
  /** Why a new run was started instead of a retry. */
  reason?: string;
}

export interface IncidentRecoveryOptions {
  chains: Pick<ChainRegistry, "has" | "get">;
  alerts: Pick<AlertStore, "getIncident" | "replaceRun">;
  runs: Pick<ChainStore, "getRun">;
  runner: Pick<Runner, "retry">;
  logger: Logger;
  /** Start a run of the incident's chain under `runId` (a repeat finds the run that exists). */
  startRun(incidentId: string, source: AlertSource, runId: string): Promise<string | undefined>;
}

/** Does the incident need its run taken up again: its run ended failed or expired, and an alert came since? */
function needsRecovery(incident: IncidentSummary, run: RunRecord | undefined): run is RunRecord {
  if (incident.status !== "open" || run === undefined || !RECOVERABLE_STATUSES.includes(run.status)) return false;
  return incident.updatedAt > (run.finishedAt ?? run.updatedAt);
}

/**
 * Take the incident's ended run up again when it needs it. Returns what was done, or undefined
 * when nothing was needed (or another process or person took the run up first: it is live).
 */
export async function recoverIncidentRun(
  options: IncidentRecoveryOptions,
  incident: IncidentSummary,
  source: AlertSource,
): Promise<IncidentRecovery | undefined> {
  const { alerts, runs, runner, logger } = options;
  if (incident.runId === null) return undefined;
  const run = await runs.getRun(incident.runId);
  if (!needsRecovery(incident, run)) return undefined;
  const ended = { previousRunId: run.id, previousStatus: run.status, previousError: run.error?.code ?? null };
  try {
    // A compare-and-set on the run's status: two alerts at once (or an alert and a Retry click) continue it once.
    await runner.retry(run.id, `webhook:${source}`);
    const fromStepId = options.chains.has(run.chainId) ? (options.chains.get(run.chainId).steps[run.cursor]?.id ?? null) : null;
    return { kind: "retried", ...ended, runId: run.id, fromStepId, key: `incident-recovery:${run.id}:${String(run.finishedAt ?? run.updatedAt)}` };
  } catch (error) {
    if (isBatonError(error, "RUN_NOT_ACTIVE")) {
      // Someone else took it up first, or it ended in a way a retry does not continue; which?
      const now = await runs.getRun(run.id);
      if (now !== undefined && (now.status === "running" || now.status === "awaiting_approval")) return undefined;
    }
    // Beyond retrying (its chain no longer fits it, say): a new run of the incident as it is now.
    const runId = nextRunIdFor(run.id);
    const reason = describeError(error);
    logger.warn(
      { incidentId: incident.id, runId: run.id, newRunId: runId, error: reason },
      "an incident's ended run could not be retried; starting a new run for the incident",
    );
    const started = await options.startRun(incident.id, source, runId);
    if (started === undefined) return undefined;
    await alerts.replaceRun(incident.id, run.id, started);
    return {
      kind: "restarted",
      ...ended,
      runId: started,
      fromStepId: null,
      key: `incident-recovery:${run.id}:${String(run.finishedAt ?? run.updatedAt)}`,
      reason,
    };
  }
}

/**
 * The id of the run that follows `runId` for the same incident: `r_i_…` → `r_i_…_run2` →
 * `r_i_…_run3`. Derived, so a start repeated after a crash (or raced by a second alert) finds the
 * run it started. Generated ids never contain `_run` after their prefix, so the suffix is ours.
 */
export function nextRunIdFor(runId: string): string {
  const numbered = /^(.+)_run(\d+)$/.exec(runId);
  if (numbered?.[1] !== undefined && numbered[2] !== undefined) return `${numbered[1]}_run${String(Number(numbered[2]) + 1)}`;
  return `${runId}_run2`;
}
