import type { ApprovalRecord, AuditEvent, AuditEventInput, ChainStore, RunRecord } from "../core/ports.js";

/**
 * Drift: per chain, step, model and prompt version, how the model's answers fared — how many
 * needed repairs (a re-ask after an invalid answer) and how people decided the proposals
 * (approved unchanged, edited, sent back, rejected). A rise in edits after a model change shows
 * here within a week. The same definitions feed `/metrics` (drift-metrics.ts), `baton stats` and
 * the weekly digest.
 */

export type DriftDecision = "approved" | "edited" | "changes_requested" | "rejected";

export interface DriftRow {
  chainId: string;
  stepId: string;
  model: string;
  promptVersion: string;
  /** Valid answers the step got (one per step execution, or per item of a map step). */
  answers: number;
  /** Of those, how many came only after a re-ask (attempt > 1). */
  repaired: number;
  /** Proposals people decided, by decision. */
  decisions: Record<DriftDecision, number>;
}

export const UNKNOWN = "unknown";

const DECISIONS: ReadonlyArray<DriftDecision> = ["approved", "edited", "changes_requested", "rejected"];

/** The model and prompt version of an answer, from its model.call audit data. */
export function answerLabels(data: Record<string, unknown>): { model: string; promptVersion: string } {
  return {
    model: typeof data["model"] === "string" ? data["model"] : UNKNOWN,
    promptVersion: typeof data["promptVersion"] === "string" ? data["promptVersion"] : UNKNOWN,
  };
}

/** A valid answer that took more than one attempt with its model was repaired. */
export function wasRepaired(data: Record<string, unknown>): boolean {
  return typeof data["attempt"] === "number" && data["attempt"] > 1;
}

/** The valid model answer a decided approval was about: the step's last valid call before the request. */
export function answerBehind<Event extends AuditEventInput>(approval: ApprovalRecord, events: ReadonlyArray<Event>): Event | undefined {
  return events
    .filter((event) => event.type === "model.call" && event.stepId === approval.stepId && event.data["outcome"] === "valid" && event.at <= approval.requestedAt)
    .at(-1);
}

export function isDriftDecision(status: ApprovalRecord["status"]): status is DriftDecision {
  return (DECISIONS as ReadonlyArray<string>).includes(status);
}

/** Drift rows from runs with their events and approvals (pure: the store reading is `collectDriftStats`). */
export function driftRows(runs: ReadonlyArray<{ run: RunRecord; events: ReadonlyArray<AuditEvent>; approvals: ReadonlyArray<ApprovalRecord> }>): DriftRow[] {
  const rows = new Map<string, DriftRow>();
  const rowOf = (chainId: string, stepId: string, labels: { model: string; promptVersion: string }): DriftRow => {
    const key = [chainId, stepId, labels.model, labels.promptVersion].join("\u0000");
    let row = rows.get(key);
    if (!row) {
      row = { chainId, stepId, ...labels, answers: 0, repaired: 0, decisions: { approved: 0, edited: 0, changes_requested: 0, rejected: 0 } };
      rows.set(key, row);
    }
    return row;
  };
  for (const { run, events, approvals } of runs) {
    for (const event of events) {
      if (event.type !== "model.call" || event.stepId === null || event.data["outcome"] !== "valid") continue;
      const row = rowOf(run.chainId, event.stepId, answerLabels(event.data));
      row.answers += 1;
      if (wasRepaired(event.data)) row.repaired += 1;
    }
    for (const approval of approvals) {
      if (!isDriftDecision(approval.status)) continue;
      const answer = answerBehind(approval, events);
      // A gate on an action step (a review draft) has no model answer behind it.
      if (!answer) continue;
      rowOf(run.chainId, approval.stepId, answerLabels(answer.data)).decisions[approval.status] += 1;
    }
  }
  return [...rows.values()].sort(
    (left, right) =>
      left.chainId.localeCompare(right.chainId) ||
      left.stepId.localeCompare(right.stepId) ||
      left.model.localeCompare(right.model) ||
      left.promptVersion.localeCompare(right.promptVersion),
  );
}

/** Drift rows for the runs started in `[since, until]`, of one chain or all. */
export async function collectDriftStats(store: ChainStore, options: { since: number; until: number; chainId?: string }): Promise<DriftRow[]> {
  const runs = (await store.listRuns({ limit: 100_000, ...(options.chainId === undefined ? {} : { chainId: options.chainId }) })).filter(
    (run) => run.createdAt >= options.since && run.createdAt <= options.until,
  );
  const loaded = [];
  for (const run of runs) {
    const [events, approvals] = await Promise.all([store.listEvents(run.id), store.listApprovals({ runId: run.id, limit: 1_000 })]);
    loaded.push({ run, events, approvals });
  }
  return driftRows(loaded);
}

const percent = (part: number, whole: number): string => (whole === 0 ? "–" : `${Math.round((part / whole) * 100)}%`);

/** Drift rows as a table for people. */
export function renderDriftTable(rows: ReadonlyArray<DriftRow>): string {
  if (rows.length === 0) return "No model answers in this period.";
  const header = ["CHAIN", "STEP", "MODEL", "PROMPT", "ANSWERS", "REPAIRED", "DECIDED", "APPROVED", "EDITED", "SENT BACK", "REJECTED"];
  const body = rows.map((row) => {
    const decided = DECISIONS.reduce((sum, decision) => sum + row.decisions[decision], 0);
    return [
      row.chainId,
      row.stepId,
      row.model,
      row.promptVersion,
      String(row.answers),
      percent(row.repaired, row.answers),
      String(decided),
      percent(row.decisions.approved, decided),
      percent(row.decisions.edited, decided),
      percent(row.decisions.changes_requested, decided),
      percent(row.decisions.rejected, decided),
    ];
  });
  const widths = header.map((title, column) => Math.max(title.length, ...body.map((row) => (row[column] ?? "").length)));
  const line = (cells: ReadonlyArray<string>): string =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join("  ")
      .trimEnd();
  return [line(header), ...body.map(line)].join("\n");
}
