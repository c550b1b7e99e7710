import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Actor } from "../core/approval-rules.js";
import { isBatonError } from "../core/errors.js";
import type { ApprovalRecord } from "../core/ports.js";
import type { DecisionRequest, DecisionResult, Runner } from "../core/runner.js";
import type { CommandHint } from "./command-hint.js";
import { renderValue } from "../rendering/render-value.js";
import { locateJsonProblem } from "./json-text.js";
import type { TerminalIo } from "./terminal-io.js";

export type PromptOutcome = "decided" | "later";

function formatTime(at: number | null): string {
  return at === null ? "none" : `${new Date(at).toISOString().replace("T", " ").slice(0, 16)} UTC`;
}

export function renderApprovalCard(approval: ApprovalRecord, title: string, scripted: boolean): string {
  const lines = [
    "",
    `⏸  Approval needed: ${title}`,
    `   step ${approval.stepId} · round ${approval.round} · approval ${approval.id} · deadline ${formatTime(approval.deadlineAt)}`,
  ];
  if (approval.approvers.length > 0) lines.push(`   approvers: ${approval.approvers.join(", ")}`);
  if (scripted) lines.push("   (proposed by the scripted demo model)");
  lines.push("", renderValue(approval.proposal, "   "), "");
  return lines.join("\n");
}

/** Read edited JSON: in `$EDITOR` when a person is at a TTY, else typed or piped, ended by a lone `.`. */
async function readEditedJson(io: TerminalIo, current: unknown): Promise<{ ok: true; value: unknown } | { ok: false; message: string }> {
  let text: string;
  if (io.interactive && io.editor) {
    const folder = mkdtempSync(join(tmpdir(), "baton-edit-"));
    const file = join(folder, "proposal.json");
    try {
      writeFileSync(file, `${JSON.stringify(current, null, 2)}\n`);
      const result = spawnSync(`${io.editor} "${file}"`, { shell: true, stdio: "inherit" });
      if (result.status !== 0) return { ok: false, message: `The editor (${io.editor}) exited with status ${String(result.status)}; nothing was changed.` };
      text = readFileSync(file, "utf8");
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  } else {
    io.write(`Current output:\n${JSON.stringify(current, null, 2)}\nType or paste the edited JSON, then a line with only a dot (.) to finish:`);
    const lines: string[] = [];
    for (;;) {
      const line = await io.ask("");
      if (line === undefined || line.trim() === ".") break;
      lines.push(line);
    }
    text = lines.join("\n");
  }
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    const problem = locateJsonProblem(text, error);
    return {
      ok: false,
      message: `That is not valid JSON (${problem.reason} at line ${String(problem.line)}, column ${String(problem.column)}). Nothing was changed; try again.`,
    };
  }
}

async function askText(io: TerminalIo, prompt: string): Promise<string | undefined> {
  for (;;) {
    const text = await io.ask(prompt);
    if (text === undefined) return undefined;
    if (text.trim() !== "") return text.trim();
    io.write("Please write a few words (or press Ctrl-D to decide later).");
  }
}

/**
 * Ask the person at the terminal to decide one approval, until a decision applies or they
 * choose to decide later. Invalid edits are shown with zod's paths and asked again.
 */
export async function promptForDecision(
  io: TerminalIo,
  runner: Runner,
  approval: ApprovalRecord,
  actor: Actor,
  title: string,
  scripted: boolean,
  hint: CommandHint,
): Promise<PromptOutcome> {
  io.write(renderApprovalCard(approval, title, scripted));
  for (;;) {
    const answer = (await io.ask("Decide: [a]pprove, [e]dit, request [c]hanges, [r]eject, or [l]ater? "))?.trim().toLowerCase();
    let request: DecisionRequest;
    if (answer === undefined || answer === "l" || answer === "later") {
      io.write(`Left pending. Decide later with: ${hint(`approve ${approval.id}`)}   (or ${hint(`reject ${approval.id} --reason "..."`)})`);
      return "later";
    } else if (answer === "a" || answer === "approve") {
      request = { kind: "approve" };
    } else if (answer === "e" || answer === "edit") {
      const edited = await readEditedJson(io, approval.proposal);
      if (!edited.ok) {
        io.write(edited.message);
        continue;
      }
      request = { kind: "edit", output: edited.value };
    } else if (answer === "c" || answer === "changes") {
      const feedback = await askText(io, "What should change? ");
      if (feedback === undefined) continue;
      request = { kind: "request_changes", feedback };
    } else if (answer === "r" || answer === "reject") {
      const reason = await askText(io, "Why reject? ");
      if (reason === undefined) continue;
      request = { kind: "reject", reason };
    } else {
      io.write(`"${answer}" is not one of a, e, c, r, l.`);
      continue;
    }

    let result: DecisionResult;
    try {
      result = await runner.decide(approval.id, request, actor);
    } catch (error) {
      if (isBatonError(error, "EDIT_INVALID") || isBatonError(error, "DECISION_INVALID")) {
        io.write(error.message);
        continue;
      }
      throw error;
    }
    if (!result.applied) {
      io.write(`Already decided: ${result.approval.status} by ${result.approval.decidedBy ?? "someone"} at ${formatTime(result.approval.decidedAt)}.`);
    }
    return "decided";
  }
}
