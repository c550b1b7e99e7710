import type { Command } from "commander";
import { durationToMs, type Duration } from "../core/duration.js";
import { BatonError } from "../core/errors.js";
import { pruneAuditDetail, type PruneCounts } from "../core/retention.js";
import type { CliContext } from "./program.js";
import { withRuntime } from "./with-runtime.js";

/**
 * `baton prune [--older-than 90d] [--dry-run]`: the retention job's pass, by hand (what is kept
 * and what goes: `core/retention.ts`). The bot runs the same pass daily (BATON_RETENTION).
 */

/** The bot's default for BATON_RETENTION (src/bot-config.ts), which `prune` uses when not told. */
const DEFAULT_RETENTION = "90d";

function parseAge(text: string, source: string): number {
  if (!/^\d+(\.\d+)?[smhd]$/.test(text.trim())) {
    throw new BatonError("INPUT_INVALID", `${source} "${text}" is not a duration. Use a number and a unit (s, m, h, d), such as 90d or 720h.`, { value: text });
  }
  return durationToMs(text.trim() as Duration);
}

/** `--older-than`, else the retention the bot applies (BATON_RETENTION, 90d by default). */
function ageToPrune(olderThan: string | undefined, environment: Readonly<Record<string, string | undefined>>): { ms: number; from: string } {
  if (olderThan !== undefined) return { ms: parseAge(olderThan, "--older-than"), from: "" };
  const retention = environment["BATON_RETENTION"]?.trim() || DEFAULT_RETENTION;
  if (retention === "off") {
    throw new BatonError("INPUT_INVALID", "BATON_RETENTION is off, so there is no age to prune at. Pass one, such as --older-than 90d.", {
      variable: "BATON_RETENTION",
    });
  }
  return { ms: parseAge(retention, "BATON_RETENTION"), from: ` (BATON_RETENTION=${retention})` };
}

function describeCounts(counts: PruneCounts): string {
  return `${String(counts.runs)} finished run${counts.runs === 1 ? "" : "s"} (${String(counts.events)} events, ${String(counts.effects)} effect records) and ${String(counts.deliveries)} webhook deliver${counts.deliveries === 1 ? "y" : "ies"}`;
}

export function registerPruneCommand(program: Command, context: CliContext): void {
  program
    .command("prune")
    .description("Delete the audit detail of runs finished long ago (model calls, step events; decisions and outputs stay) and old webhook deliveries")
    .option("--older-than <duration>", "age of the detail to delete, such as 90d (default: BATON_RETENTION, 90d)")
    .option("--dry-run", "count what would be deleted, delete nothing")
    .action(async (options: { olderThan?: string; dryRun?: boolean }) => {
      const age = ageToPrune(options.olderThan, context.environment);
      const olderThanMs = age.ms;
      await withRuntime(context, "inspect", async (runtime) => {
        const now = runtime.clock.now();
        const cutoff = new Date(now - olderThanMs).toISOString();
        if (options.dryRun === true) {
          context.io.write(
            `Would prune ${describeCounts(await runtime.retention.countPrunable(now - olderThanMs))}, from before ${cutoff}${age.from}. Runs still running or awaiting approval are never touched.`,
          );
          return;
        }
        const report = await pruneAuditDetail(runtime.retention, { olderThanMs, now });
        if (report.skipped) {
          context.io.write(
            'Pruned nothing: another baton process sharing this database is running a retention pass right now. Run baton prune again when it has finished (the bot logs "retention pass" then).',
          );
          return;
        }
        context.io.write(`Pruned ${describeCounts(report)}, from before ${cutoff}${age.from}. Kept: every run, its outputs, approvals and decisions.`);
      });
    });
}
