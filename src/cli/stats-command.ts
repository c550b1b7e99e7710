import type { Command } from "commander";
import { durationToMs, type Duration } from "../core/duration.js";
import { BatonError } from "../core/errors.js";
import { collectDriftStats, renderDriftTable } from "../evals/drift-stats.js";
import type { CliContext } from "./program.js";
import { withRuntime } from "./with-runtime.js";

/** `baton stats [--chain] [--since] [--json]`: drift per chain, step, model and prompt version, from the database. */
export function registerStatsCommand(program: Command, context: CliContext): void {
  program
    .command("stats")
    .description(
      "Drift: how often proposals were approved unchanged, edited, sent back or rejected, and how often answers needed repairs, per chain, step, model and prompt version",
    )
    .option("-c, --chain <chain>", "only this chain")
    .option("--since <duration>", "runs started this long ago or later, such as 7d", "7d")
    .option("--json", "print JSON for machines")
    .action(async (options: { chain?: string; since: string; json?: boolean }) => {
      if (!/^\d+(\.\d+)?[smhd]$/.test(options.since.trim())) {
        throw new BatonError("INPUT_INVALID", `--since "${options.since}" is not a duration. Use a number and a unit (s, m, h, d), such as 7d.`, {
          value: options.since,
        });
      }
      const sinceMs = durationToMs(options.since.trim() as Duration);
      await withRuntime(context, "inspect", async (runtime) => {
        const until = runtime.clock.now();
        const rows = await collectDriftStats(runtime.store, {
          since: until - sinceMs,
          until,
          ...(options.chain === undefined ? {} : { chainId: options.chain }),
        });
        if (options.json)
          return context.io.write(JSON.stringify({ since: new Date(until - sinceMs).toISOString(), until: new Date(until).toISOString(), rows }, null, 2));
        context.io.write(
          `Model answers and decisions since ${new Date(until - sinceMs).toISOString().slice(0, 16).replace("T", " ")} UTC${options.chain ? ` for ${options.chain}` : ""}:\n\n${renderDriftTable(rows)}`,
        );
      });
    });
}
