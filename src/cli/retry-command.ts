import type { Command } from "commander";
import type { Runtime } from "../runtime/compose.js";
import { commandHint } from "./command-hint.js";
import { followRun, printProgress } from "./follow-run.js";
import type { CliContext } from "./program.js";
import { inputFromText, readInputFile } from "./run-input.js";
import { withRuntime } from "./with-runtime.js";

/**
 * `baton retry <run-id>`: continue a failed or expired run from the step that did not finish.
 * `baton rerun <run-id> --from <step> [--input file.json]`: a new run from that step, with the
 * outputs before it copied. Both run here in the foreground, like `baton approve`.
 */

async function follow(context: CliContext, runtime: Runtime, runId: string, actor: string): Promise<void> {
  const run = await followRun(runtime, context.io, runId, {
    askForDecisions: false,
    hint: commandHint(runtime.config, context.invocation),
    actor: { id: actor, trusted: true },
  });
  if (run.status === "failed") process.exitCode = 1;
}

export function registerRetryCommands(program: Command, context: CliContext): void {
  program
    .command("retry")
    .description("Continue a failed or expired run from the step that did not finish, keeping every output before it")
    .argument("<run-id>")
    .option("--as <user>", "who retries, for the audit log (default: cli:<your user name>)")
    .action(async (runId: string, options: { as?: string }) => {
      const actor = options.as ?? `cli:${context.username}`;
      await withRuntime(context, "execute", async (runtime) => {
        const stopProgress = printProgress(runtime, context.io, "all");
        try {
          await runtime.runner.retry(runId, actor);
          context.io.write(`↻ Run ${runId} retried by ${actor}.`);
          await follow(context, runtime, runId, actor);
        } finally {
          stopProgress();
        }
      });
    });

  program
    .command("rerun")
    .description("Start a new run of a finished run's chain from one of its steps, copying the outputs before it")
    .argument("<run-id>")
    .requiredOption("--from <step>", "the step to run again from (see `baton show <run-id>`)")
    .option("-i, --input <file>", "a new input (JSON, or text for text chains) instead of the run's")
    .option("--as <user>", "who re-runs, for the audit log (default: cli:<your user name>)")
    .action(async (runId: string, options: { from: string; input?: string; as?: string }) => {
      const actor = options.as ?? `cli:${context.username}`;
      await withRuntime(context, "execute", async (runtime) => {
        const parent = await runtime.store.getRun(runId);
        const chain = parent && runtime.chains.has(parent.chainId) ? runtime.chains.get(parent.chainId) : undefined;
        const input = options.input !== undefined && chain ? inputFromText(chain, readInputFile(options.input, context.readStdin), options.input) : undefined;
        const stopProgress = printProgress(runtime, context.io, "all");
        try {
          const { runId: childId } = await runtime.runner.rerun(runId, {
            fromStepId: options.from,
            actor,
            ...(input === undefined ? {} : { input }),
            origin: { source: "cli", reference: { parentRunId: runId } },
          });
          context.io.write(`▶ Run ${childId} re-runs ${runId} from ${options.from}.`);
          await follow(context, runtime, childId, actor);
        } finally {
          stopProgress();
        }
      });
    });
}
