import type { Command } from "commander";
import { resolve } from "node:path";
import { parseConfig, type Config } from "../config.js";
import type { ChainDefinition } from "../core/chain.js";
import { durationToMs, type Duration } from "../core/duration.js";
import { BatonError } from "../core/errors.js";
import type { ModelStepEnvironment } from "../core/model-step.js";
import type { LlmClient } from "../core/ports.js";
import { Semaphore } from "../core/semaphore.js";
import { captureCases, type CaptureSelection } from "../evals/capture-cases.js";
import { readCases, writeCases } from "../evals/case-files.js";
import { runEvals, type EvalVariant } from "../evals/run-evals.js";
import { GptTokenCounter } from "../llm/gpt-token-counter.js";
import { ScriptedLlmClient } from "../llm/scripted-client.js";
import { openAiClientFor, SCRIPTED_MODEL } from "../runtime/compose.js";
import { loadChains, type LoadedChains } from "../runtime/load-chains.js";
import { createLogger } from "../runtime/logger.js";
import { modelServerOf } from "../runtime/model-server.js";
import { systemClock } from "../system/system-clock.js";
import type { CliContext } from "./program.js";
import { renderEvalReport } from "./render-eval.js";
import { withRuntime } from "./with-runtime.js";

/**
 * `baton eval capture` (cases from real decisions) and `baton eval run` (replay a chain's model
 * steps on them and score the answers). `eval run` opens no database and runs no action step:
 * it only calls the model.
 */

const CAPTURED = "captured";

function parseSince(text: string): number {
  if (!/^\d+(\.\d+)?[smhd]$/.test(text.trim())) {
    throw new BatonError("INPUT_INVALID", `--since "${text}" is not a duration. Use a number and a unit (s, m, h, d), such as 30d.`, { value: text });
  }
  return durationToMs(text.trim() as Duration);
}

/** `0.8` or `80%`. */
export function parseMinScore(text: string): number {
  const trimmed = text.trim();
  const value = trimmed.endsWith("%") ? Number(trimmed.slice(0, -1)) / 100 : Number(trimmed);
  if (!Number.isFinite(value) || value < 0 || value > 1) {
    throw new BatonError("INPUT_INVALID", `--min-score "${text}" is not a score. Give a number from 0 to 1 (0.8) or a percentage (80%).`, { value: text });
  }
  return value;
}

interface ModelClients {
  clientFor(model: string | undefined): { llm: LlmClient; model: string };
}

/** The model clients `eval run` may use: the configured server, and the scripted model for `scripted` (or when no server is configured). */
function modelClients(config: Config, loaded: LoadedChains, notice: (text: string) => void): ModelClients {
  const scripted = new ScriptedLlmClient(loaded.examples);
  const server = modelServerOf(config);
  const real = server === undefined ? undefined : openAiClientFor(server, config, createLogger(config.logLevel ?? "warn"));
  let noticed = false;
  return {
    clientFor(model) {
      const wanted = model ?? config.model;
      if (wanted === SCRIPTED_MODEL) return { llm: scripted, model: SCRIPTED_MODEL };
      if (real) return { llm: real, model: wanted };
      if (model !== undefined) {
        throw new BatonError(
          "MODEL_NOT_CONFIGURED",
          `--model/--compare "${model}" needs a model server, and none is configured. Set OPENAI_API_KEY (or OPENAI_BASE_URL for a local server, or the AZURE_OPENAI_* variables), or use --model scripted.`,
          { model },
        );
      }
      if (!noticed)
        notice("No model server is configured: replaying with the chains' example answers (scripted model). Set OPENAI_API_KEY to evaluate a real model.");
      noticed = true;
      return { llm: scripted, model: SCRIPTED_MODEL };
    },
  };
}

function chainOf(loaded: LoadedChains, chainId: string): ChainDefinition {
  const chain = loaded.chains.find((candidate) => candidate.definition.id === chainId)?.definition;
  if (!chain) {
    throw new BatonError("CHAIN_NOT_FOUND", `There is no chain "${chainId}". List chains with \`baton chains\`.`, { chainId });
  }
  return chain;
}

export function registerEvalCommand(program: Command, context: CliContext): void {
  const evalCommand = program.command("eval").description("Eval cases from real decisions, and scores of a chain's model steps on them");

  evalCommand
    .command("capture")
    .description("Write eval cases (evals/<chain>/<case>.json) from runs people decided: input context, proposal, and the human's answer")
    .argument("[run-ids...]", "runs to capture")
    .option("-c, --chain <chain>", "capture this chain's runs (with --since)")
    .option("--since <duration>", "with --chain: runs started this long ago or later, such as 30d", "30d")
    .option("-o, --out <dir>", "where to write the cases", "evals")
    .action(async (runIds: string[], options: { chain?: string; since: string; out: string }) => {
      if (runIds.length === 0 && options.chain === undefined) {
        throw new BatonError(
          "INPUT_INVALID",
          "Name the runs to capture (baton eval capture <run-id>…) or a chain (baton eval capture --chain <chain> --since 30d).",
          {},
        );
      }
      await withRuntime(context, "inspect", async (runtime) => {
        const now = runtime.clock.now();
        const selection: CaptureSelection = runIds.length > 0 ? { runIds } : { chainId: options.chain as string, since: now - parseSince(options.since) };
        const cases = await captureCases(runtime.store, selection, now);
        if (cases.length === 0) {
          context.io.write(
            "No cases: none of these runs has a model step a person decided (or that finished). Runs still awaiting approval give cases once decided.",
          );
          return;
        }
        const written = writeCases(resolve(options.out), cases);
        const kinds: Record<string, number> = {};
        for (const evalCase of cases) kinds[evalCase.reference.kind] = (kinds[evalCase.reference.kind] ?? 0) + 1;
        context.io.write(
          `Wrote ${written.length} case${written.length === 1 ? "" : "s"} (${Object.entries(kinds)
            .map(([kind, count]) => `${count} ${kind.replace("_", " ")}`)
            .join(
              ", ",
            )}):\n${written.map((path) => `  ${path}`).join("\n")}\nReview them before committing: secrets and Slack ids are taken out, everything else of the run's data is kept.`,
        );
      });
    });

  evalCommand
    .command("run")
    .description("Replay a chain's model steps on its eval cases (no actions, no approvals, nothing written) and score the answers")
    .argument("<chain>", "chain id")
    .option("--cases <dir>", "the cases' folder (default evals/<chain>)")
    .option("-m, --model <model>", "the model to evaluate (default: each step's model, or BATON_MODEL)")
    .option(
      "--compare <model>",
      `a second model side by side on the same cases, or "${CAPTURED}" for the proposals as captured (the prompt version and model that made them)`,
    )
    .option("--json", "print JSON for CI")
    .option("--min-score <score>", "exit 1 when a score is below this (0.8 or 80%)")
    .action(async (chainId: string, options: { cases?: string; model?: string; compare?: string; json?: boolean; minScore?: string }) => {
      const minScore = options.minScore === undefined ? undefined : parseMinScore(options.minScore);
      const config = parseConfig(context.environment);
      const loaded = await loadChains({ shipped: config.shippedChainsDirectory, user: config.chainDirectories }, config.compiledChains);
      const chain = chainOf(loaded, chainId);
      if (!chain.steps.some((step) => step.kind !== "action")) {
        context.io.write(`${chainId} has no model steps (its answers come from code, not a model): nothing to evaluate.`);
        return;
      }
      const folder = resolve(options.cases ?? `evals/${chainId}`);
      const cases = readCases(folder).filter((evalCase) => evalCase.chainId === chainId);
      if (cases.length === 0) {
        throw new BatonError(
          "EVAL_NO_CASES",
          `There are no eval cases for chain "${chainId}" in ${folder}. Capture some with \`baton eval capture --chain ${chainId} --since 30d\`, or point --cases at their folder.`,
          { chainId, folder },
        );
      }
      const clients = modelClients(config, loaded, (text) => context.io.writeError(`note: ${text}`));
      const variants: EvalVariant[] = [{ kind: "model", label: options.model ?? "model", model: options.model }];
      if (options.compare !== undefined)
        variants.push(options.compare === CAPTURED ? { kind: "captured", label: CAPTURED } : { kind: "model", label: options.compare, model: options.compare });
      const semaphore = new Semaphore(config.modelConcurrency);
      const tokens = new GptTokenCounter();
      const report = await runEvals(chain, cases, variants, (variant): ModelStepEnvironment => {
        const { llm, model } = clients.clientFor(variant.model);
        return {
          llm,
          semaphore,
          clock: systemClock,
          prices: config.prices,
          defaultModel: model,
          defaultFallbackModels: [],
          tokens,
          contextLimits: config.contextLimits,
        };
      });
      const failing = minScore === undefined ? [] : report.variants.filter((variant) => variant.score < minScore);
      if (options.json) context.io.write(JSON.stringify({ ...report, ...(minScore === undefined ? {} : { minScore, passed: failing.length === 0 }) }, null, 2));
      else context.io.write(renderEvalReport(report, minScore));
      if (failing.length > 0) process.exitCode = 1;
    });
}
