import type { ChainDefinition } from "../core/chain.js";
import type { ApprovalRecord, AuditEvent, RunLineage, RunRecord, RunRetry, StepRecord } from "../core/ports.js";
import { describeWait } from "../core/waiting-text.js";

/** Text views of runs for the terminal: the `baton runs` table and the `baton show` timeline. */

export function formatDuration(milliseconds: number): string {
  if (milliseconds < 1_000) return `${Math.round(milliseconds)} ms`;
  if (milliseconds < 120_000) return `${(milliseconds / 1_000).toFixed(1)} s`;
  if (milliseconds < 7_200_000) return `${Math.round(milliseconds / 60_000)} min`;
  return `${(milliseconds / 3_600_000).toFixed(1)} h`;
}

export function formatCost(usd: number): string {
  return usd === 0 ? "$0" : `$${usd < 0.01 ? usd.toFixed(4) : usd.toFixed(2)}`;
}

export function formatTimestamp(at: number): string {
  return `${new Date(at).toISOString().replace("T", " ").slice(0, 19)} UTC`;
}

const STATUS_ICON: Record<RunRecord["status"], string> = {
  running: "⏳",
  awaiting_approval: "⏸",
  succeeded: "✓",
  failed: "✗",
  rejected: "⊘",
  cancelled: "⊘",
  expired: "⌛",
};

export function renderRunsTable(runs: ReadonlyArray<RunRecord>): string {
  if (runs.length === 0) return "No runs yet. Start one with: baton run <chain> --input <file>";
  const rows = runs.map((run) => [
    run.id,
    run.chainId,
    `${STATUS_ICON[run.status]} ${run.status}`,
    `${Math.min(run.cursor, run.stepCount)}/${run.stepCount}`,
    formatTimestamp(run.createdAt),
    run.startedBy,
  ]);
  const header = ["RUN", "CHAIN", "STATUS", "STEPS", "STARTED", "BY"];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? "").length)));
  const line = (cells: ReadonlyArray<string>): string =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)].join("\n");
}

export interface RunView {
  run: RunRecord;
  chain: ChainDefinition | undefined;
  steps: ReadonlyArray<StepRecord>;
  approvals: ReadonlyArray<ApprovalRecord>;
  events: ReadonlyArray<AuditEvent>;
  /** Set while the run waits out an outage (its next try). */
  retry?: RunRetry | undefined;
  /** Its parent, when it is a re-run, and its re-runs. */
  lineage?: RunLineage;
}

/** `  (1,152 cached)` after a token count, as the model-call lines say it; nothing when none was. */
export function cachedPart(cachedInputTokens: number): string {
  return cachedInputTokens > 0 ? `  (${cachedInputTokens.toLocaleString("en-US")} cached)` : "";
}

function stepLine(view: RunView, stepId: string, index: number): string {
  const { run, steps, approvals } = view;
  const record = steps.find((step) => step.stepIndex === index);
  const name = stepId.padEnd(22);
  if (record) {
    if (record.status === "skipped") return `  – ${name} skipped`;
    const usage = record.usage;
    const calls =
      usage.modelCalls > 0
        ? `  ${usage.modelCalls} call${usage.modelCalls === 1 ? "" : "s"}  ${(usage.inputTokens + usage.outputTokens).toLocaleString("en-US")} tok${cachedPart(usage.cachedInputTokens)}  ${formatCost(usage.costUsd)}`
        : "";
    const rounds = record.executions > 1 ? `  ${record.executions} rounds` : "";
    // A gated step's time is mostly a person deciding: show that apart from the step's own work.
    const waited = approvals
      .filter((approval) => approval.stepIndex === index && approval.decidedAt !== null && approval.requestedAt >= record.startedAt)
      .reduce((total, approval) => total + ((approval.decidedAt ?? approval.requestedAt) - approval.requestedAt), 0);
    const worked = record.finishedAt - record.startedAt - waited;
    const wait = waited > 0 ? `  (+ ${formatDuration(waited)} awaiting approval)` : "";
    return `  ✓ ${name} ${formatDuration(worked).padStart(8)}${calls}${rounds}${wait}`;
  }
  if (index === run.cursor) {
    if (run.status === "awaiting_approval") {
      const pending = approvals.find((approval) => approval.stepIndex === index && approval.status === "pending");
      return `  ⏸ ${name} awaiting approval${pending ? ` ${pending.id} (round ${pending.round})` : ""}`;
    }
    if (run.status === "running" && view.retry?.stepIndex === index) return `  ⏳ ${name} ${describeWait(view.retry, formatTimestamp)}`;
    if (run.status === "running") return `  ⏳ ${name} running`;
    if (run.status === "failed") return `  ✗ ${name} failed`;
    if (run.status === "expired") return `  ⌛ ${name} approval expired`;
    if (run.status === "rejected") return `  ⊘ ${name} rejected`;
    if (run.status === "cancelled") return `  ⊘ ${name} cancelled`;
  }
  return `  ○ ${name}`;
}

function decisionLine(approval: ApprovalRecord): string {
  const head = `  ${approval.stepId} round ${approval.round}: `;
  if (approval.status === "pending") return `${head}pending since ${formatTimestamp(approval.requestedAt)} (approval ${approval.id})`;
  const who = approval.decidedBy ? ` by ${approval.decidedBy}` : "";
  const when = approval.decidedAt ? ` at ${formatTimestamp(approval.decidedAt)}` : "";
  const comment = approval.comment ? `: "${approval.comment}"` : "";
  return `${head}${approval.status.replace("_", " ")}${who}${when}${comment}`;
}

function modelCallLine(event: AuditEvent): string {
  const data = event.data;
  const text = (key: string): string => (data[key] === undefined ? "" : String(data[key]));
  const tokens = Number(data["inputTokens"] ?? 0) + Number(data["outputTokens"] ?? 0);
  const cached = Number(data["cachedInputTokens"] ?? 0);
  const parts = [
    formatTimestamp(event.at).slice(11, 19),
    (event.stepId ?? "").padEnd(20),
    text("model").padEnd(14),
    `#${text("attempt")}`,
    text("promptVersion"),
    text("outcome").padEnd(15),
    tokens > 0 ? `${tokens.toLocaleString("en-US")} tok` : "",
    cached > 0 ? `(${cached.toLocaleString("en-US")} cached)` : "",
    data["costUsd"] !== undefined ? formatCost(Number(data["costUsd"])) : "",
    data["latencyMs"] !== undefined ? `${text("latencyMs")} ms` : "",
    data["scripted"] === true ? "[scripted model]" : "",
    text("error") || text("refusal"),
  ];
  return `  ${parts.filter((part) => part !== "").join("  ")}`;
}

function lineageLines(lineage: RunLineage | undefined): string[] {
  if (!lineage) return [];
  const lines: string[] = [];
  if (lineage.parent) lines.push(`Re-run of ${lineage.parent.runId} from step ${lineage.parent.fromStepId}`);
  for (const child of lineage.children) lines.push(`Re-run as ${child.runId} from step ${child.fromStepId} (${formatTimestamp(child.createdAt)})`);
  return lines;
}

export function renderRunTimeline(view: RunView): string {
  const { run, chain, steps, approvals, events } = view;
  const stepIds = chain ? chain.steps.map((step) => step.id) : steps.map((step) => step.stepId);
  // Totals from the audit log: it has every call, including earlier rounds and failed steps.
  const totals = events
    .filter((event) => event.type === "model.call")
    .reduce(
      (sum, event) => ({
        calls: sum.calls + 1,
        tokens: sum.tokens + Number(event.data["inputTokens"] ?? 0) + Number(event.data["outputTokens"] ?? 0),
        input: sum.input + Number(event.data["inputTokens"] ?? 0),
        cached: sum.cached + Number(event.data["cachedInputTokens"] ?? 0),
        output: sum.output + Number(event.data["outputTokens"] ?? 0),
        cost: sum.cost + Number(event.data["costUsd"] ?? 0),
      }),
      { calls: 0, tokens: 0, input: 0, cached: 0, output: 0, cost: 0 },
    );
  // Prompt tokens served from the server's cache are priced lower: say how many there were.
  const tokenLine = `${totals.tokens.toLocaleString("en-US")} tokens (${totals.input.toLocaleString("en-US")} in${totals.cached > 0 ? `, ${totals.cached.toLocaleString("en-US")} of them cached` : ""}, ${totals.output.toLocaleString("en-US")} out)`;
  const elapsed = (run.finishedAt ?? Date.now()) - run.createdAt;
  const lines = [
    `Run ${run.id} · ${run.chainId} · ${STATUS_ICON[run.status]} ${run.status}`,
    `Started ${formatTimestamp(run.createdAt)} by ${run.startedBy}${run.origin ? ` via ${run.origin.source}` : ""} · ${run.finishedAt ? "took" : "so far"} ${formatDuration(elapsed)} · ${totals.calls} model calls · ${tokenLine} · ${formatCost(totals.cost)}`,
    ...lineageLines(view.lineage),
    "",
    "Steps",
    ...stepIds.map((stepId, index) => stepLine(view, stepId, index)),
  ];
  if (approvals.length > 0) lines.push("", "Decisions", ...[...approvals].sort((first, second) => first.requestedAt - second.requestedAt).map(decisionLine));
  const modelCalls = events.filter((event) => event.type === "model.call");
  if (modelCalls.length > 0) lines.push("", "Model calls", ...modelCalls.map(modelCallLine));
  if (run.error)
    lines.push(
      "",
      `Error ${run.error.code}${run.error.stepId ? ` in step ${run.error.stepId}` : ""}:`,
      ...run.error.message.split("\n").map((line) => `  ${line}`),
    );
  return lines.join("\n");
}
