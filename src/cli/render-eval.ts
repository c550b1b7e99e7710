import type { CaseScore, EvalReport, VariantReport } from "../evals/run-evals.js";
import { cachedPart, formatCost, formatDuration } from "./render-run.js";

/** The `baton eval run` report for people: a row per case, a column per variant, then totals and a line per step. */

const percent = (value: number): string => `${Math.round(value * 100)}%`;

function table(header: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>): string[] {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? "").length)));
  const line = (cells: ReadonlyArray<string>): string =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

function caseCell(scored: CaseScore | undefined): string {
  if (!scored) return "";
  if (!scored.valid) return "0% invalid";
  const repairs = scored.replay && scored.replay.repairs > 0 ? ` ${scored.replay.repairs} repair${scored.replay.repairs === 1 ? "" : "s"}` : "";
  const checks = scored.replay && scored.replay.checkProblems > 0 ? ` ${scored.replay.checkProblems} check` : "";
  const similar = scored.similarity === null ? "" : ` sim ${percent(scored.similarity)}`;
  return `${percent(scored.score)}${similar}${repairs}${checks}`;
}

function stepLines(variant: VariantReport): string[] {
  const steps = [...new Set(variant.cases.map((scored) => scored.stepId))];
  return steps.map((stepId) => {
    const cases = variant.cases.filter((scored) => scored.stepId === stepId);
    const score = cases.reduce((sum, scored) => sum + scored.score, 0) / cases.length;
    const tokens = cases.reduce((sum, scored) => sum + (scored.replay ? scored.replay.inputTokens + scored.replay.outputTokens : 0), 0);
    const cached = cases.reduce((sum, scored) => sum + (scored.replay?.cachedInputTokens ?? 0), 0);
    const cost = cases.reduce((sum, scored) => sum + (scored.replay?.costUsd ?? 0), 0);
    const latency = cases.reduce((sum, scored) => sum + (scored.replay?.latencyMs ?? 0), 0);
    const scorerNames = [...new Set(cases.flatMap((scored) => Object.keys(scored.scorers)))];
    const scorers = scorerNames.map((name) => {
      const values = cases.flatMap((scored) => (scored.scorers[name] ? [scored.scorers[name].score] : []));
      return `${name} ${percent(values.reduce((sum, value) => sum + value, 0) / Math.max(1, values.length))}`;
    });
    const usage = variant.cases.some((scored) => scored.replay !== null)
      ? `  ${tokens.toLocaleString("en-US")} tok${cachedPart(cached)}  ${formatCost(cost)}  ${formatDuration(latency)}`
      : "";
    return `    ${stepId.padEnd(20)} ${percent(score).padStart(4)}  ${cases.length} case${cases.length === 1 ? "" : "s"}${usage}${scorers.length > 0 ? `  ${scorers.join("  ")}` : ""}`;
  });
}

function variantSummary(variant: VariantReport, caseCount: number): string[] {
  const totals = variant.totals;
  const replayed = variant.cases.some((scored) => scored.replay !== null);
  const head = `${variant.label}: score ${percent(variant.score)} · valid ${totals.valid}/${caseCount}`;
  const detail = replayed
    ? ` · first try ${totals.firstTryValid}/${caseCount} · ${totals.repairs} repairs · ${totals.checkProblems} check problems · ${(totals.inputTokens + totals.outputTokens).toLocaleString("en-US")} tokens${totals.cachedInputTokens > 0 ? ` (${totals.cachedInputTokens.toLocaleString("en-US")} cached)` : ""} · ${formatCost(totals.costUsd)} · ${formatDuration(totals.latencyMs)} model time`
    : " · the proposals as captured (nothing called)";
  return [`${head}${detail}`, `  model ${variant.model ?? "?"} · prompt versions ${variant.promptVersions.join(", ") || "?"}`, ...stepLines(variant)];
}

/** The report as text: cases side by side, then each variant's totals and steps. */
export function renderEvalReport(report: EvalReport, minScore: number | undefined): string {
  const [first] = report.variants;
  if (!first) return `No variants were run for ${report.chainId}.`;
  const compared = report.variants.length === 2 ? report.variants[1] : undefined;
  const header = ["CASE", "STEP", "REFERENCE", ...report.variants.map((variant) => variant.label.toUpperCase()), ...(compared ? ["Δ"] : [])];
  const rows = first.cases.map((scored, index) => {
    const others = report.variants.map((variant) => caseCell(variant.cases[index]));
    const delta = compared ? `${Math.round(((compared.cases[index]?.score ?? 0) - scored.score) * 100)}` : undefined;
    return [
      scored.caseId,
      scored.stepId,
      scored.referenceKind.replace("_", " "),
      ...others,
      ...(delta === undefined ? [] : [delta.startsWith("-") || delta === "0" ? delta : `+${delta}`]),
    ];
  });
  const lines = [`${report.chainId} · ${report.caseCount} case${report.caseCount === 1 ? "" : "s"}`, "", ...table(header, rows), ""];
  for (const variant of report.variants) lines.push(...variantSummary(variant, report.caseCount), "");
  if (minScore !== undefined) {
    const failing = report.variants.filter((variant) => variant.score < minScore);
    lines.push(
      failing.length === 0
        ? `✓ every score is at least ${percent(minScore)}`
        : `✗ below --min-score ${percent(minScore)}: ${failing.map((variant) => `${variant.label} ${percent(variant.score)}`).join(", ")}`,
    );
  }
  return lines.join("\n").trimEnd();
}
