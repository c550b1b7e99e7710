import type { ChainDefinition } from "./chain.js";
import { BatonError } from "./errors.js";
import type { RunOrigin, RunRecord } from "./ports.js";
import type { ExecutionEnvironment } from "./runner-types.js";
import { listIssues, parseWith } from "./validation.js";

/**
 * How a run recovers after a fault: a waiting run taken up at its next try, a failed or expired
 * run retried in place (`baton retry`), and a re-run from a step into a new run (`baton rerun`).
 * The runner wraps these; each write is a compare-and-set, so two processes apply one.
 */

/** The statuses `baton retry` continues from. */
export const RETRYABLE_RUN_STATUSES = ["failed", "expired"] as const;

const LIVE_STATUSES: ReadonlyArray<RunRecord["status"]> = ["running", "awaiting_approval"];

/** Hands a claimed run to the runner's executor. */
type Schedule = (run: RunRecord) => void;

/** Take up every waiting run whose next try is due (and not executing here); returns their ids. */
export async function resumeDueRetries(environment: ExecutionEnvironment, isActive: (runId: string) => boolean, schedule: Schedule): Promise<string[]> {
  const { store, clock, owner, leaseMs, events } = environment;
  const resumed: string[] = [];
  for (const retry of await store.listRetries(1_000)) {
    const now = clock.now();
    if (retry.nextAttemptAt > now) break; // soonest first: the rest are later still
    if (isActive(retry.runId)) continue;
    const run = await store.getRun(retry.runId);
    // A waiting run holds no lease; one that has a live lease is being tried elsewhere.
    if (run?.status !== "running" || (run.leaseOwner !== null && (run.leaseExpiresAt ?? 0) >= now)) continue;
    const claimed = await store.claimRun({ runId: run.id, expectedOwner: run.leaseOwner, owner, leaseExpiresAt: now + leaseMs, at: now, events: [] });
    if (!claimed) continue;
    resumed.push(run.id);
    events.emit("run.resumed", { runId: run.id, chainId: run.chainId, attempt: retry.attempt + 1 });
    schedule({ ...run, leaseOwner: owner, leaseExpiresAt: now + leaseMs });
  }
  return resumed;
}

async function requireRun(environment: ExecutionEnvironment, runId: string): Promise<RunRecord> {
  const run = await environment.store.getRun(runId);
  if (!run) throw new BatonError("RUN_NOT_FOUND", `There is no run "${runId}". List runs with \`baton runs\`.`, { runId });
  return run;
}

function requireChain(environment: ExecutionEnvironment, run: RunRecord): ChainDefinition {
  if (!environment.chains.has(run.chainId)) {
    throw new BatonError(
      "CHAIN_NOT_FOUND",
      `Run ${run.id} belongs to chain "${run.chainId}", which is not loaded. Put its file back in the chains directory, then try again.`,
      {
        runId: run.id,
        chainId: run.chainId,
      },
    );
  }
  return environment.chains.get(run.chainId);
}

function refuseLive(run: RunRecord, doing: string): void {
  if (!LIVE_STATUSES.includes(run.status)) return;
  const what = run.status === "running" ? "is still running (or waiting to try a step again)" : "is waiting for an approval";
  throw new BatonError(
    "RUN_NOT_ACTIVE",
    `Run ${run.id} ${what}; only a failed or finished run can be ${doing}. Wait for it, or cancel it with \`baton cancel ${run.id}\` first.`,
    {
      runId: run.id,
      status: run.status,
    },
  );
}

/**
 * Continue a `failed` or `expired` run in place from the step that did not finish, keeping every
 * output before it. The compare-and-set on the status makes a second retry (or a click in
 * another process) a no-op: RUN_NOT_ACTIVE says who was first.
 */
export async function retryRun(environment: ExecutionEnvironment, runId: string, actor: string, schedule: Schedule): Promise<RunRecord> {
  const { store, clock, owner, leaseMs } = environment;
  const run = await requireRun(environment, runId);
  refuseLive(run, "retried");
  if (!(RETRYABLE_RUN_STATUSES as ReadonlyArray<string>).includes(run.status)) {
    throw new BatonError(
      "RUN_NOT_ACTIVE",
      `Run ${run.id} ended ${run.status}; only a failed or expired run can be retried. Start it again from a step with \`baton rerun ${run.id} --from <step>\`.`,
      { runId: run.id, status: run.status },
    );
  }
  const chain = requireChain(environment, run);
  const step = chain.steps[run.cursor];
  const at = clock.now();
  const reopened = await store.reopenRun({
    runId: run.id,
    fromStatuses: RETRYABLE_RUN_STATUSES,
    owner,
    leaseExpiresAt: at + leaseMs,
    at,
    events: [
      {
        runId: run.id,
        at,
        type: "run.retried",
        stepId: step?.id ?? null,
        actor,
        data: { fromStatus: run.status, cursor: run.cursor, error: run.error?.code ?? null },
      },
    ],
  });
  if (!reopened) {
    const now = await requireRun(environment, runId);
    throw new BatonError(
      "RUN_NOT_ACTIVE",
      `Run ${run.id} was retried (or changed) by someone else first; it is ${now.status} now. See \`baton show ${run.id}\`.`,
      {
        runId: run.id,
        status: now.status,
      },
    );
  }
  const retried: RunRecord = { ...run, status: "running", error: null, finishedAt: null, updatedAt: at, leaseOwner: owner, leaseExpiresAt: at + leaseMs };
  schedule(retried);
  return retried;
}

export interface RerunRequest {
  fromStepId: string;
  /** A new input for the re-run; the parent's input when absent. */
  input?: unknown;
  actor: string;
  origin?: RunOrigin;
}

/**
 * A new run of the same chain that copies the parent's outputs before `fromStepId` (spending
 * nothing on them again) and runs from there; the lineage is recorded both ways.
 */
export async function rerunRun(environment: ExecutionEnvironment, parentRunId: string, request: RerunRequest, schedule: Schedule): Promise<RunRecord> {
  const { store, clock, owner, leaseMs, ids } = environment;
  const parent = await requireRun(environment, parentRunId);
  refuseLive(parent, "re-run");
  const chain = requireChain(environment, parent);
  const fromStepIndex = chain.steps.findIndex((step) => step.id === request.fromStepId);
  if (fromStepIndex < 0) {
    throw new BatonError(
      "COMMAND_INVALID",
      `Chain "${chain.id}" has no step "${request.fromStepId}". Its steps are: ${chain.steps.map((step) => step.id).join(", ")}. Name one of them after --from.`,
      { runId: parent.id, chainId: chain.id, stepId: request.fromStepId },
    );
  }
  if (fromStepIndex > parent.cursor) {
    const reached = chain.steps[parent.cursor]?.id ?? "its end";
    throw new BatonError(
      "COMMAND_INVALID",
      `Run ${parent.id} never finished the steps before "${request.fromStepId}" (it stopped at "${reached}"), so there are no outputs to copy. Re-run from "${reached}" or an earlier step.`,
      { runId: parent.id, stepId: request.fromStepId, stoppedAt: reached },
    );
  }
  const parsed = parseWith(chain.input, request.input === undefined ? parent.input : request.input);
  if (!parsed.ok) {
    throw new BatonError(
      "INPUT_INVALID",
      `The input does not fit chain "${chain.id}":\n${listIssues(parsed.issues)}\nFix these fields in the input file and re-run again.`,
      {
        chainId: chain.id,
        issues: parsed.issues,
      },
    );
  }
  const runId = ids.next("r_");
  const at = clock.now();
  const origin = request.origin ?? { source: "rerun", reference: { parentRunId: parent.id } };
  const lineage = { parentRunId: parent.id, fromStepId: request.fromStepId };
  await store.createRerun({
    run: {
      id: runId,
      chainId: chain.id,
      stepCount: chain.steps.length,
      input: parsed.value,
      startedBy: request.actor,
      origin,
      at,
      leaseOwner: owner,
      leaseExpiresAt: at + leaseMs,
    },
    parentRunId: parent.id,
    fromStepId: request.fromStepId,
    fromStepIndex,
    events: [
      { runId, at, type: "run.started", stepId: null, actor: request.actor, data: { origin, ...lineage, inputReplaced: request.input !== undefined } },
      {
        runId: parent.id,
        at,
        type: "run.rerun",
        stepId: request.fromStepId,
        actor: request.actor,
        data: { childRunId: runId, fromStepId: request.fromStepId },
      },
    ],
  });
  const run: RunRecord = {
    id: runId,
    chainId: chain.id,
    status: "running",
    cursor: fromStepIndex,
    stepCount: chain.steps.length,
    input: parsed.value,
    startedBy: request.actor,
    origin,
    createdAt: at,
    updatedAt: at,
    finishedAt: null,
    error: null,
    leaseOwner: owner,
    leaseExpiresAt: at + leaseMs,
  };
  environment.events.emit("run.started", { runId, chainId: chain.id, startedBy: request.actor, origin });
  schedule(run);
  return run;
}
