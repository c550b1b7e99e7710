import type { Command } from "commander";
import { dirname, join, relative, resolve, sep } from "node:path";
import { BatonError, isBatonError } from "../core/errors.js";
import { readCases } from "../evals/case-files.js";
import type { Runtime } from "../runtime/compose.js";
import { createLogger } from "../runtime/logger.js";
import { type ChainTestResult, runScenario } from "../testing/run-scenario.js";
import { caseScenario, type ChainMaterial, EXAMPLES_SCENARIO, plannedScenario, type Scenario } from "../testing/scenarios.js";
import { openTestRuntime, type TestRuntime } from "../testing/test-runtime.js";
import type { TestDecision } from "../testing/test-plan.js";
import type { CliContext } from "./program.js";
import { parseDecideFlags, readTestPlan, TEST_PLAN_FILE } from "./test-scenarios.js";

/**
 * `baton test [chain]`: each chain end to end on the test kit (src/testing, the engine behind
 * `testChain` too): its examples with every approval approved, the scenarios of its
 * test-plan.json, and with `--cases` its recorded eval cases. No Slack, no key, a throwaway
 * database; exits 1 when a scenario fails, naming the step, check or output and the fix.
 */

/** Where `--cases` looks without a folder: what `baton eval capture` writes. */
const DEFAULT_CASES_FOLDER = "evals";

interface TestOptions {
  decide?: string[];
  cases?: string | true;
}

/** The chains to test: the one named, else the user's (BATON_CHAINS_DIR), else every chain. */
function chainsToTest(runtime: Runtime, chainId: string | undefined): string[] {
  if (chainId !== undefined) {
    if (!runtime.chains.has(chainId))
      throw new BatonError("CHAIN_NOT_FOUND", `There is no chain "${chainId}". List them with \`baton chains\` (is BATON_CHAINS_DIR set?).`, { chainId });
    return [chainId];
  }
  const userFolders = runtime.loaded.directories.filter((directory) => !directory.shipped).map((directory) => directory.path + sep);
  const all = runtime.chains.list().map((chain) => chain.id);
  const users = all.filter((id) => userFolders.some((folder) => (runtime.loaded.files[id] ?? "").startsWith(folder)));
  return users.length > 0 ? users : all;
}

function materialOf(runtime: Runtime, chainId: string): ChainMaterial {
  const entry = runtime.loaded.files[chainId];
  return {
    chain: runtime.chains.get(chainId),
    examples: runtime.loaded.examples[chainId],
    exampleInput: runtime.loaded.exampleInputs[chainId],
    folder: entry === undefined ? undefined : dirname(entry),
  };
}

/** A scenario that could not even be built (a broken test plan or case) fails with its reason. */
type Planned = { scenario: Scenario } | { name: string; problem: string };

function scenariosOf(
  material: ChainMaterial,
  options: TestOptions,
  decisions: Record<string, TestDecision[]> | undefined,
  casesFolder: string | undefined,
): Planned[] {
  if (decisions !== undefined)
    return [{ scenario: plannedScenario(material, { name: (options.decide ?? []).map((flag) => `--decide ${flag}`).join(" "), decisions }) }];
  const planned: Planned[] = [{ scenario: plannedScenario(material, { name: EXAMPLES_SCENARIO }) }];
  if (material.folder !== undefined) {
    try {
      for (const scenario of readTestPlan(material.folder)) planned.push({ scenario: plannedScenario(material, scenario, "examples.json") });
    } catch (error) {
      if (!isBatonError(error)) throw error;
      planned.push({ name: TEST_PLAN_FILE, problem: error.message });
    }
  }
  if (casesFolder !== undefined) {
    const folder = join(casesFolder, material.chain.id);
    try {
      for (const evalCase of readCases(folder).filter((candidate) => candidate.chainId === material.chain.id)) {
        const file = relative(process.cwd(), join(folder, `${evalCase.id}.json`));
        planned.push({ scenario: caseScenario(material, evalCase, `case ${file.startsWith("..") ? join(folder, `${evalCase.id}.json`) : file}`) });
      }
    } catch (error) {
      if (!isBatonError(error)) throw error;
      planned.push({ name: `cases in ${folder}`, problem: error.message });
    }
  }
  return planned;
}

function line(result: Pick<ChainTestResult, "chainId" | "scenario" | "problems">): string {
  const name = result.scenario === EXAMPLES_SCENARIO ? result.chainId : `${result.chainId} › ${result.scenario}`;
  return result.problems.length === 0 ? `✓ ${name}` : `✗ ${name}: ${result.problems.join("\n  ")}`;
}

async function testChains(test: TestRuntime, context: CliContext, chainId: string | undefined, options: TestOptions): Promise<ChainTestResult[]> {
  const { runtime } = test;
  const decisions = options.decide === undefined ? undefined : parseDecideFlags(options.decide);
  if (decisions !== undefined && chainId === undefined)
    throw new BatonError(
      "COMMAND_INVALID",
      "--decide names steps of one chain: give the chain too, e.g. `baton test first-chain --decide summarise=reject`.",
      {},
    );
  const casesFolder = options.cases === undefined ? undefined : resolve(options.cases === true ? DEFAULT_CASES_FOLDER : options.cases);
  const results: ChainTestResult[] = [];
  for (const id of chainsToTest(runtime, chainId)) {
    for (const planned of scenariosOf(materialOf(runtime, id), options, decisions, casesFolder)) {
      const result =
        "scenario" in planned
          ? await runScenario(test, materialOf(runtime, id), planned.scenario)
          : ({ chainId: id, scenario: planned.name, problems: [planned.problem] } as ChainTestResult);
      context.io.write(line(result));
      results.push(result);
    }
  }
  return results;
}

export function registerTestCommand(program: Command, context: CliContext): void {
  program
    .command("test")
    .description(
      "Test each chain (or one) end to end on the scripted model: its examples (every approval approved), its test-plan.json scenarios and, with --cases, its recorded eval cases; no Slack, no key",
    )
    .argument("[chain]", "only this chain (default: the chains in BATON_CHAINS_DIR, or all)")
    .option(
      "--decide <step=decision>",
      "instead, one run of [chain] decided as given: approve, reject[:<reason>], edit:<file.json>, request_changes:<comment>; repeat for later rounds",
      (value: string, previous: string[] | undefined) => [...(previous ?? []), value],
    )
    .option("--cases [dir]", `also run each chain's recorded eval cases, from <dir>/<chain>/ (default ${DEFAULT_CASES_FOLDER})`)
    .action(async (chainId: string | undefined, options: TestOptions) => {
      const logger = createLogger(context.verbose === true ? (context.environment["LOG_LEVEL"] ?? "info") : "silent");
      const test = await openTestRuntime({ environment: context.environment, logger });
      let results: ChainTestResult[];
      try {
        results = await testChains(test, context, chainId, options);
      } finally {
        await test.close();
      }
      const failed = results.filter((result) => result.problems.length > 0);
      const chains = new Set(results.map((result) => result.chainId)).size;
      context.io.write(
        failed.length === 0
          ? `\n${String(chains)} chain(s) passed (${String(results.length)} scenario(s)).`
          : `\n${String(failed.length)} of ${String(results.length)} scenario(s) failed. Fix what each ✗ above names: the answer (examples.json, test-plan.json or the case), a decision, the schema or check, or the action.`,
      );
      if (failed.length > 0) process.exitCode = 1;
    });
}
