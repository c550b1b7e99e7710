import { Option, type Command } from "commander";
import { describeLocation } from "../database-settings.js";
import { BatonError } from "../core/errors.js";
import { RUN_STATUSES, type RunStatus } from "../core/ports.js";
import type { Runtime } from "../runtime/compose.js";
import type { CliContext } from "./program.js";
import { renderRunsTable, renderRunTimeline } from "./render-run.js";
import { withRuntime } from "./with-runtime.js";

/** The read-only commands: `baton runs`, `baton show` and `baton chains` open the database to look, never to execute. */

function parseStatuses(text: string | undefined): RunStatus[] | undefined {
  if (text === undefined) return undefined;
  const statuses = text.split(",").map((status) => status.trim());
  for (const status of statuses) {
    if (!RUN_STATUSES.includes(status as RunStatus)) {
      throw new BatonError("CONFIG_INVALID", `--status "${status}" is not a run status. Use one or more of: ${RUN_STATUSES.join(", ")}.`, { status });
    }
  }
  return statuses as RunStatus[];
}

/** Where the runs are, and why there: printed so the location is never a surprise. */
function describeDatabase(config: Runtime["config"]): string {
  const source = config.databaseSource === "default" ? " (the default; set BATON_DB to use another)" : ` (${config.databaseSource})`;
  return `Database: ${describeLocation(config.database)}${source}`;
}

function describeChainSources(runtime: Runtime): string {
  const folders = runtime.loaded.directories.map((directory) => `${directory.path}${directory.shipped ? " (shipped with baton)" : " (BATON_CHAINS_DIR)"}`);
  const hint = runtime.loaded.directories.some((directory) => !directory.shipped) ? "" : "\nAdd your own: set BATON_CHAINS_DIR to a folder of chain folders.";
  return `Chains from: ${folders.join(", ")}${hint}`;
}

/** `baton runs` and `baton show <run-id>`: the runs and one run's timeline. */
export function registerRunsCommands(program: Command, context: CliContext): void {
  program
    .command("runs")
    .description("List recent runs, newest first")
    .option("-s, --status <statuses>", `only these statuses, comma-separated (${RUN_STATUSES.join(", ")})`)
    .option("-c, --chain <chain>", "only runs of this chain")
    .addOption(new Option("-n, --limit <count>", "how many").default(20).argParser((value) => Number.parseInt(value, 10)))
    .option("--json", "print JSON for machines")
    .action(async (options: { status?: string; chain?: string; limit: number; json?: boolean }) => {
      await withRuntime(context, "inspect", async (runtime) => {
        const statuses = parseStatuses(options.status);
        const runs = await runtime.store.listRuns({
          limit: Number.isFinite(options.limit) && options.limit > 0 ? options.limit : 20,
          chainId: options.chain,
          statuses,
        });
        if (options.json) return context.io.write(JSON.stringify(runs, null, 2));
        context.io.write(renderRunsTable(runs));
        context.io.write(`\n${describeDatabase(runtime.config)}`);
      });
    });

  program
    .command("show")
    .description("A run's timeline: steps, attempts, tokens, cost, durations and decisions")
    .argument("<run-id>")
    .option("-o, --outputs", "also print every step's output as JSON")
    .option("--json", "print JSON for machines")
    .action(async (runId: string, options: { outputs?: boolean; json?: boolean }) => {
      await withRuntime(context, "inspect", async (runtime) => {
        const run = await runtime.store.getRun(runId);
        if (!run) throw new BatonError("RUN_NOT_FOUND", `There is no run "${runId}". List runs with \`baton runs\`.`, { runId });
        const [steps, approvals, events, retry, lineage] = await Promise.all([
          runtime.store.getSteps(runId),
          runtime.store.listApprovals({ runId, limit: 1_000 }),
          runtime.store.listEvents(runId),
          runtime.store.getRetry(runId),
          runtime.store.getLineage(runId),
        ]);
        if (options.json) return context.io.write(JSON.stringify({ run, steps, approvals, events, retry: retry ?? null, lineage }, null, 2));
        const chain = runtime.chains.has(run.chainId) ? runtime.chains.get(run.chainId) : undefined;
        context.io.write(renderRunTimeline({ run, chain, steps, approvals, events, retry, lineage }));
        if (options.outputs) for (const step of steps) context.io.write(`\n${step.stepId}:\n${JSON.stringify(step.output, null, 2)}`);
      });
    });
}

/** `baton chains`: the chains baton knows, where they come from, and where the runs are kept. */
export function registerChainsCommand(program: Command, context: CliContext): void {
  program
    .command("chains")
    .description("List the chains (baton's own and those in BATON_CHAINS_DIR) with their steps")
    .action(async () => {
      await withRuntime(context, "inspect", async (runtime) => {
        for (const chain of runtime.chains.list()) {
          const steps = chain.steps.map((step) => `${step.id}${step.approval ? " (approval)" : ""}`).join(" → ");
          context.io.write(`${chain.id}  ${chain.title}\n  ${chain.description}\n  steps: ${steps}\n`);
        }
        context.io.write(describeChainSources(runtime));
        context.io.write(describeDatabase(runtime.config));
      });
    });
}
