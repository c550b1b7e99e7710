import type { Actor } from "../core/approval-rules.js";
import type { RunRecord } from "../core/ports.js";
import type { Runtime } from "../runtime/compose.js";
import { promptForDecision } from "./approval-prompt.js";
import type { CommandHint } from "./command-hint.js";
import { formatCost, formatDuration, formatTimestamp } from "./render-run.js";
import { describeWait } from "../core/waiting-text.js";
import { renderValue } from "../rendering/render-value.js";
import type { TerminalIo } from "./terminal-io.js";

export interface FollowOptions {
  /** Whether to ask the person at the terminal for decisions (false when stdin carried the input). */
  askForDecisions: boolean;
  actor: Actor;
  /** Spells the commands suggested to the user. */
  hint: CommandHint;
}

/** ` (1,152 cached)`: how much of the prompt the server's cache served, when it served any. */
const cached = (tokens: number): string => (tokens > 0 ? ` (${tokens.toLocaleString("en-US")} cached)` : "");

/** Print a run's steps as they finish, in the terminal, for runs this process executes. */
export function printProgress(runtime: Runtime, io: TerminalIo, runIds: ReadonlySet<string> | "all"): () => void {
  const follows = (runId: string): boolean => runIds === "all" || runIds.has(runId);
  const scriptedTag = runtime.scripted ? "  [scripted model]" : "";
  const unsubscribers = [
    runtime.runner.events.on("step.started", (event) => {
      if (follows(event.runId)) io.write(`⏳ ${event.stepId}…`);
    }),
    runtime.runner.events.on("step.finished", (event) => {
      if (!follows(event.runId)) return;
      if (event.status === "skipped") return io.write(`– ${event.stepId} skipped`);
      const usage = event.usage;
      const calls =
        usage.modelCalls > 0
          ? ` · ${usage.modelCalls} model call${usage.modelCalls === 1 ? "" : "s"} · ${(usage.inputTokens + usage.outputTokens).toLocaleString("en-US")} tokens${cached(usage.cachedInputTokens)} · ${formatCost(usage.costUsd)}${scriptedTag}`
          : "";
      io.write(`✓ ${event.stepId} (${formatDuration(event.durationMs)}${calls})\n${renderValue(event.output, "    ")}\n`);
    }),
    runtime.runner.events.on("approval.decided", (event) => {
      if (follows(event.approval.runId))
        io.write(`→ ${event.approval.stepId}: ${event.approval.status.replace("_", " ")} by ${event.approval.decidedBy ?? "someone"}`);
    }),
  ];
  return () => unsubscribers.forEach((unsubscribe) => unsubscribe());
}

function describeEnd(run: RunRecord): string {
  switch (run.status) {
    case "succeeded":
      return `✓ Run ${run.id} succeeded.`;
    case "failed":
      // The format of every command's errors (src/cli/main.ts).
      return `✗ Run ${run.id} failed with error [${run.error?.code ?? "unknown"}]: ${run.error?.message ?? ""}`;
    case "awaiting_approval":
      return `⏸ Run ${run.id} is waiting for approval.`;
    default:
      return `Run ${run.id} ended: ${run.status}.`;
  }
}

/**
 * Wait for a run executing in this process, answering its approvals at the terminal when
 * allowed, until it ends or is left waiting. Returns its final record.
 */
export async function followRun(runtime: Runtime, io: TerminalIo, runId: string, options: FollowOptions): Promise<RunRecord> {
  for (;;) {
    const run = await runtime.runner.settled(runId);
    const retry = run.status === "running" ? await runtime.store.getRetry(runId) : undefined;
    if (retry) {
      // The run waits out an outage: the bot's timer continues it, or `baton resume` here once it is due.
      io.write(
        `⏳ Run ${run.id} is ${describeWait(retry, formatTimestamp)}. The bot continues it by itself; without the bot: ${options.hint("resume")} after that time.  Details: ${options.hint(`show ${run.id}`)}`,
      );
      return run;
    }
    if (run.status !== "awaiting_approval") {
      io.write(`${describeEnd(run)}  Details: ${options.hint(`show ${run.id}`)}`);
      return run;
    }
    const [approval] = await runtime.store.listApprovals({ runId, statuses: ["pending"], limit: 1 });
    if (!approval) return run;
    const chain = runtime.chains.has(run.chainId) ? runtime.chains.get(run.chainId) : undefined;
    const title = chain?.steps[approval.stepIndex]?.approval?.title ?? `${approval.stepId} of ${run.chainId}`;
    if (!options.askForDecisions) {
      const hint = options.hint;
      io.write(
        `⏸ Run ${run.id} is waiting for approval ${approval.id} (${title}).\n   Decide with: ${hint(`approve ${approval.id}`)} | ${hint(`request-changes ${approval.id} --feedback "..."`)} | ${hint(`reject ${approval.id} --reason "..."`)}`,
      );
      return run;
    }
    const outcome = await promptForDecision(io, runtime.runner, approval, options.actor, title, runtime.scripted, options.hint);
    if (outcome === "later") return runtime.runner.settled(runId);
  }
}
