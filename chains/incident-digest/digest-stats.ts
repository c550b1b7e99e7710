import { collectDriftStats, type ActionServices, type DriftRow } from "../../src/chain-api.js";
import { IncidentInput } from "../incident-response/schemas.js";

/**
 * The week's incidents from the store: every incident-response run started in the window, with
 * its severity, how long its plan waited for approval, how long the incident took to resolve
 * (from the alert store, when this process has one) and which alerts keep coming back.
 */

export interface DigestStats {
  from: string;
  to: string;
  incidents: number;
  bySeverity: Record<string, number>;
  byOutcome: Record<string, number>;
  approvals: { count: number; medianMinutes: number | null; slowestMinutes: number | null };
  resolution: { resolved: number; medianMinutes: number | null };
  repeatOffenders: Array<{ alert: string; service: string | null; incidents: number }>;
  /** Every chain's model steps in the period: answers repaired, proposals approved, edited, sent back, rejected. */
  drift: DriftRow[];
}

const median = (values: number[]): number | null => {
  if (values.length === 0) return null;
  const sorted = [...values].sort((left, right) => left - right);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? null) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
};
const minutes = (ms: number): number => Math.round(ms / 6_000) / 10;

export async function collectDigestStats(days: number, services: ActionServices): Promise<DigestStats> {
  const { store, clock, resources } = services;
  const to = clock.now();
  const from = to - days * 86_400_000;
  const runs = (await store.listRuns({ chainId: "incident-response", limit: 5_000 })).filter((run) => run.createdAt >= from && run.createdAt <= to);
  const bySeverity: Record<string, number> = {};
  const byOutcome: Record<string, number> = {};
  const waits: number[] = [];
  const resolutions: number[] = [];
  const offenders = new Map<string, { alert: string; service: string | null; incidents: number }>();
  for (const run of runs) {
    byOutcome[run.status] = (byOutcome[run.status] ?? 0) + 1;
    const [steps, approvals] = await Promise.all([store.getSteps(run.id), store.listApprovals({ runId: run.id, limit: 20 })]);
    const severity = (steps.find((step) => step.stepId === "classify")?.output as { severity?: string } | undefined)?.severity ?? "unclassified";
    bySeverity[severity] = (bySeverity[severity] ?? 0) + 1;
    for (const approval of approvals)
      if (approval.stepId === "remediation" && approval.decidedAt !== null) waits.push(approval.decidedAt - approval.requestedAt);
    const input = IncidentInput.safeParse(run.input);
    if (!input.success) continue;
    const status = await resources.incidents?.statusOf(input.data.incidentId);
    if (status?.status === "resolved" && status.resolvedAt !== null) resolutions.push(status.resolvedAt - run.createdAt);
    for (const alert of input.data.alerts) {
      const key = `${alert.name}\u0000${alert.service ?? ""}`;
      const entry = offenders.get(key) ?? { alert: alert.name, service: alert.service, incidents: 0 };
      entry.incidents += 1;
      offenders.set(key, entry);
    }
  }
  return {
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    incidents: runs.length,
    bySeverity,
    byOutcome,
    approvals: {
      count: waits.length,
      medianMinutes: waits.length ? minutes(median(waits) ?? 0) : null,
      slowestMinutes: waits.length ? minutes(Math.max(...waits)) : null,
    },
    resolution: { resolved: resolutions.length, medianMinutes: resolutions.length ? minutes(median(resolutions) ?? 0) : null },
    repeatOffenders: [...offenders.values()]
      .filter((entry) => entry.incidents > 1)
      .sort((left, right) => right.incidents - left.incidents)
      .slice(0, 5),
    drift: await collectDriftStats(store, { since: from, until: to }),
  };
}

export function digestText(stats: DigestStats): string {
  const list = (record: Record<string, number>) =>
    Object.entries(record)
      .sort(([left], [right]) => left.localeCompare(right))
      .map(([key, count]) => `${key} ${String(count)}`)
      .join(", ") || "none";
  return [
    `${String(stats.incidents)} incident${stats.incidents === 1 ? "" : "s"} from ${stats.from.slice(0, 10)} to ${stats.to.slice(0, 10)}.`,
    `By severity: ${list(stats.bySeverity)}.`,
    `How they ended: ${list(stats.byOutcome)}.`,
    stats.approvals.count > 0
      ? `Plans approved: ${String(stats.approvals.count)}, median wait ${String(stats.approvals.medianMinutes)} min, slowest ${String(stats.approvals.slowestMinutes)} min.`
      : "No plan needed an approval.",
    stats.resolution.resolved > 0
      ? `Resolved: ${String(stats.resolution.resolved)}, median time to resolve ${String(stats.resolution.medianMinutes)} min.`
      : "No resolution times on record.",
    stats.repeatOffenders.length > 0
      ? `Repeat offenders: ${stats.repeatOffenders.map((entry) => `${entry.alert}${entry.service ? ` (${entry.service})` : ""} ×${String(entry.incidents)}`).join(", ")}.`
      : "No alert came back more than once.",
    ...driftLines(stats.drift),
  ].join("\n");
}

const share = (part: number, whole: number): string => `${String(Math.round((part / whole) * 100))}%`;

/** The model steps people decided on, worst first by the share of proposals they had to change. */
function driftLines(rows: ReadonlyArray<DriftRow>): string[] {
  const decided = rows
    .map((row) => ({ row, total: row.decisions.approved + row.decisions.edited + row.decisions.changes_requested + row.decisions.rejected }))
    .filter((entry) => entry.total > 0 || entry.row.repaired > 0)
    .sort(
      (left, right) =>
        (right.total - right.row.decisions.approved) / Math.max(1, right.total) - (left.total - left.row.decisions.approved) / Math.max(1, left.total),
    );
  if (decided.length === 0) return ["No model proposal was decided or repaired."];
  return [
    "Model proposals (approved unchanged / edited / sent back / rejected; answers repaired):",
    ...decided.slice(0, 8).map(({ row, total }) => {
      const decisions =
        total === 0
          ? "none decided"
          : `${share(row.decisions.approved, total)} / ${share(row.decisions.edited, total)} / ${share(row.decisions.changes_requested, total)} / ${share(row.decisions.rejected, total)} of ${String(total)}`;
      return `• ${row.chainId} ${row.stepId} (${row.model}, ${row.promptVersion}): ${decisions}; repaired ${share(row.repaired, Math.max(1, row.answers))} of ${String(row.answers)}`;
    }),
  ];
}
