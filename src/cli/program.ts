import { Command } from "commander";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Actor } from "../core/approval-rules.js";
import { BatonError } from "../core/errors.js";
import type { DecisionRequest } from "../core/runner.js";
import { defaultDataDirectory, packageVersion } from "../package-location.js";
import { SCRIPTED_MODEL, type Runtime } from "../runtime/compose.js";
import { commandHint, type CommandHint } from "./command-hint.js";
import { followRun, printProgress } from "./follow-run.js";
import { parseJsonText } from "./json-text.js";
import { checkJsonInput, inputFromText, readInputFile } from "./run-input.js";
import type { TerminalIo } from "./terminal-io.js";
import { withRuntime } from "./with-runtime.js";
import { registerIacCommand } from "./iac-command.js";
import { registerPruneCommand } from "./prune-command.js";
import { registerDoctorCommand } from "./doctor-command.js";
import { registerRetryCommands } from "./retry-command.js";
import { registerEvalCommand } from "./eval-command.js";
import { registerStatsCommand } from "./stats-command.js";
import { registerInitCommands } from "./init-command.js";
import { registerTestCommand } from "./test-command.js";
import { registerStoreCommands } from "./store-copy-command.js";
import { registerChainsCommand, registerRunsCommands } from "./inspect-commands.js";

export interface CliContext {
  io: TerminalIo;
  environment: Readonly<Record<string, string | undefined>>;
  /** The local user, recorded as who started runs and made decisions (`cli:<name>`). */
  username: string;
  readStdin: () => string;
  /** How the user runs baton, for the commands the CLI suggests: `baton` or `npm run baton --`. */
  invocation: string;
  /** `--verbose`: show baton's JSON log lines on stderr (set while parsing the command line). */
  verbose?: boolean;
}

function hintOf(context: CliContext, runtime: Runtime): CommandHint {
  return commandHint(runtime.config, context.invocation);
}

function actorOf(context: CliContext, as: string | undefined): Actor {
  return { id: as ?? `cli:${context.username}`, trusted: true };
}

async function decideAndFollow(context: CliContext, approvalId: string, request: DecisionRequest, as: string | undefined): Promise<void> {
  await withRuntime(context, "execute", async (runtime) => {
    const stopProgress = printProgress(runtime, context.io, "all");
    try {
      const result = await runtime.runner.decide(approvalId, request, actorOf(context, as));
      if (!result.applied) {
        const approval = result.approval;
        context.io.write(`Approval ${approvalId} was already decided: ${approval.status} by ${approval.decidedBy ?? "someone"}. Nothing changed.`);
        return;
      }
      context.io.write(`Recorded: ${result.approval.status.replace("_", " ")} (approval ${approvalId}, run ${result.approval.runId}).`);
      const run = await followRun(runtime, context.io, result.approval.runId, {
        askForDecisions: false,
        hint: hintOf(context, runtime),
        actor: actorOf(context, as),
      });
      if (run.status === "failed") process.exitCode = 1;
    } finally {
      stopProgress();
    }
  });
}

export function buildProgram(context: CliContext): Command {
  const program = new Command("baton")
    .description("Run multi-step LLM workflows (chains) with a human approval before anything risky.")
    .showHelpAfterError("(run with --help for usage)")
    .configureOutput({ writeOut: (text) => context.io.write(text.trimEnd()), writeErr: (text) => context.io.writeError(text.trimEnd()) })
    .version(packageVersion(), "-V, --version", "print baton's version")
    .option("--verbose", "print baton's log lines (JSON, on stderr); LOG_LEVEL picks the level, info by default")
    .hook("preAction", () => {
      context.verbose = program.opts<{ verbose?: boolean }>().verbose === true;
    });

  program
    .command("run")
    .description("Start a chain and follow it here; approvals are asked at the terminal")
    .argument("<chain>", "chain id (see `baton chains`)")
    .option("-i, --input <file>", "input as a JSON file, a text file for text chains, or - for standard input")
    .option("-t, --text <text>", "input text, for chains whose input is one text field")
    .option("--no-wait", "start the run and return without answering approvals here")
    .action(async (chainId: string, options: { input?: string; text?: string; wait: boolean }) => {
      // Read and check the file before the database opens: a bad input leaves nothing behind.
      const fileText = options.text === undefined && options.input !== undefined ? readInputFile(options.input, context.readStdin) : undefined;
      if (fileText !== undefined && options.input !== undefined) checkJsonInput(fileText, options.input);
      await withRuntime(context, "execute", async (runtime) => {
        const chain = runtime.chains.get(chainId);
        let rawText: string;
        if (options.text !== undefined) rawText = options.text;
        else if (fileText !== undefined) rawText = fileText;
        else {
          const example = runtime.loaded.exampleInputs[chainId] !== undefined ? ` (an example: chains/${chainId}/example-input.json)` : "";
          throw new BatonError("INPUT_INVALID", `Give the run its input with --input <file>${example}, --input - for standard input, or --text "...".`, {
            chainId,
          });
        }
        const input = inputFromText(chain, rawText, options.input ?? "--text");
        const stopProgress = printProgress(runtime, context.io, "all");
        try {
          const { runId } = await runtime.runner.start(chainId, input, { startedBy: `cli:${context.username}`, origin: { source: "cli" } });
          context.io.write(`▶ Run ${runId} of ${chainId} started${runtime.scripted ? " (scripted model)" : ""}.`);
          const askForDecisions = options.wait && options.input !== "-";
          const run = await followRun(runtime, context.io, runId, { askForDecisions, hint: hintOf(context, runtime), actor: actorOf(context, undefined) });
          if (run.status === "failed") process.exitCode = 1;
        } finally {
          stopProgress();
        }
      });
    });

  program
    .command("demo")
    .description("Run the solution-brief chain on its example request with the scripted model (no API key needed)")
    .action(async () => {
      const demoEnvironment = {
        ...context.environment,
        BATON_MODEL: SCRIPTED_MODEL,
        BATON_DB: context.environment["BATON_DB"] ?? join(defaultDataDirectory(context.environment), "demo.db"),
      };
      const demoContext = { ...context, environment: demoEnvironment };
      await withRuntime(demoContext, "execute", async (runtime) => {
        const input = runtime.loaded.exampleInputs["solution-brief"];
        if (input === undefined)
          throw new BatonError("CHAIN_NOT_FOUND", "The demo needs chains/solution-brief with its example-input.json. Restore them from the repository.", {});
        context.io.write(
          "baton demo: the solution-brief chain on an example customer request, answered by the scripted model.\nYou will be asked to approve the business summary before it is delivered.\n",
        );
        const stopProgress = printProgress(runtime, context.io, "all");
        try {
          const { runId } = await runtime.runner.start("solution-brief", input, { startedBy: `cli:${context.username}`, origin: { source: "demo" } });
          context.io.write(`▶ Run ${runId} started.\n`);
          await followRun(runtime, context.io, runId, { askForDecisions: true, hint: hintOf(context, runtime), actor: actorOf(context, undefined) });
        } finally {
          stopProgress();
        }
      });
    });

  program
    .command("resume")
    .description("Pick up every run a stopped or crashed process left in flight and finish it here")
    .action(async () => {
      await withRuntime(context, "execute", async (runtime) => {
        const stopProgress = printProgress(runtime, context.io, "all");
        try {
          const runIds = await runtime.runner.recover();
          context.io.write(runIds.length === 0 ? "No runs were left in flight." : `Resuming ${runIds.length} run(s): ${runIds.join(", ")}`);
          for (const runId of runIds)
            await followRun(runtime, context.io, runId, { askForDecisions: false, hint: hintOf(context, runtime), actor: actorOf(context, undefined) });
        } finally {
          stopProgress();
        }
      });
    });

  registerRunsCommands(program, context);

  program
    .command("approve")
    .description("Approve a pending approval (optionally with an edited output) and continue the run here")
    .argument("<approval-id>")
    .option("-e, --edit <file>", "a JSON file with the edited output to use instead of the proposal")
    .option("--as <who>", "record the decision under this name instead of cli:<user>")
    .action(async (approvalId: string, options: { edit?: string; as?: string }) => {
      let request: DecisionRequest = { kind: "approve" };
      if (options.edit !== undefined) {
        const text = readInputFile(options.edit, context.readStdin, "--edit -");
        const output = parseJsonText(
          text,
          options.edit === "-" ? "The edited output on standard input" : options.edit,
          "EDIT_INVALID",
          "Fix it and run baton approve again; nothing was changed.",
        );
        request = { kind: "edit", output };
      }
      await decideAndFollow(context, approvalId, request, options.as);
    });

  program
    .command("request-changes")
    .description("Send a proposal back to the model with feedback; the step runs again and asks again")
    .argument("<approval-id>")
    .requiredOption("-f, --feedback <text>", "what should change")
    .option("--as <who>", "record the decision under this name")
    .action(async (approvalId: string, options: { feedback: string; as?: string }) => {
      await decideAndFollow(context, approvalId, { kind: "request_changes", feedback: options.feedback }, options.as);
    });

  program
    .command("reject")
    .description("Reject a pending approval; the run ends rejected")
    .argument("<approval-id>")
    .requiredOption("-r, --reason <text>", "why")
    .option("--as <who>", "record the decision under this name")
    .action(async (approvalId: string, options: { reason: string; as?: string }) => {
      await decideAndFollow(context, approvalId, { kind: "reject", reason: options.reason }, options.as);
    });

  program
    .command("cancel")
    .description("Cancel a running or waiting run")
    .argument("<run-id>")
    .option("-r, --reason <text>", "why", "")
    .action(async (runId: string, options: { reason: string }) => {
      await withRuntime(context, "inspect", async (runtime) => {
        await runtime.runner.cancel(runId, `cli:${context.username}`, options.reason);
        context.io.write(`Run ${runId} cancelled.`);
      });
    });

  registerChainsCommand(program, context);
  registerRetryCommands(program, context);
  registerPruneCommand(program, context);
  registerIacCommand(program, context);
  registerDoctorCommand(program, context);
  registerEvalCommand(program, context);
  registerStatsCommand(program, context);
  registerInitCommands(program, context);
  registerTestCommand(program, context);
  registerStoreCommands(program, context);
  return program;
}

export function readAllStdin(): string {
  return readFileSync(0, "utf8");
}
