import { existsSync, readFileSync } from "node:fs";
import { basename, dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Chain, ChainResources } from "../core/chain.js";
import { BatonError, describeError } from "../core/errors.js";
import type { Logger } from "../core/ports.js";
import { EvalCaseSchema, type EvalCase } from "../evals/eval-case.js";
import { readCases } from "../evals/case-files.js";
import { importChainFolder, readChainExamples } from "../runtime/load-chains.js";
import { type ChainTestResult, runScenario } from "./run-scenario.js";
import { caseScenario, type ChainMaterial, EXAMPLES_SCENARIO, plannedScenario, type Scenario } from "./scenarios.js";
import { openTestRuntime } from "./test-runtime.js";
import type { StepDecisions, TestExpectations } from "./test-plan.js";

/**
 * `testChain`: the test kit for a test runner (vitest). One call is one run of a chain, end to
 * end on the real runner, with a model that answers from the chain's examples.json (or the
 * answers given, or a recorded eval case), approvals decided as told, on a SQLite file in a
 * temporary folder removed afterwards. No Slack, no key, no network.
 */

export interface ChainTestOptions<Outputs = Record<string, unknown>> {
  /** A name for this scenario, in problems. Default "examples" (or the case's id). */
  name?: string;
  /** For a chain given as a value: its folder (a path or a `file:` URL), where examples.json and example-input.json are. */
  folder?: string | URL;
  /** The run's input; default the chain's example-input.json. Validated by the chain's input schema. */
  input?: unknown;
  /** Step id → the model's answer, or a list of answers tried attempt by attempt; replaces the step's examples.json entry. */
  answers?: Record<string, unknown>;
  /** Step id → how to decide its approval, one decision per round; rounds not given are approved. */
  decisions?: StepDecisions<Outputs>;
  /** What the run must come to; default: `succeeded` (`rejected` when a decision rejects). */
  expect?: TestExpectations;
  /**
   * A recorded eval case (`baton eval capture`), or its file: the run gets the case's input and
   * answers, its step is decided as people decided it, and its output must come out as they
   * settled it. It brings its own input, answers and decisions, so give none of those with it.
   */
  evalCase?: EvalCase | string | URL;
  /** Lent to the chain's actions (a pull-request host, incident lookups), as the bot lends its own. */
  resources?: ChainResources;
}

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };

function pathOf(location: string | URL): string {
  return location instanceof URL || location.startsWith("file:") ? fileURLToPath(location) : resolve(location);
}

function readCaseFile(location: string | URL): EvalCase {
  const path = pathOf(location);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8")) as unknown;
  } catch (error) {
    throw new BatonError(
      "EVAL_CASE_INVALID",
      `Could not read the eval case ${path}: ${describeError(error)}. Give the path of a case file (evals/<chain>/<case>.json).`,
      {
        path,
      },
    );
  }
  const result = EvalCaseSchema.safeParse(parsed);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new BatonError(
      "EVAL_CASE_INVALID",
      `${path} is not an eval case: ${issue ? `${issue.path.join(".") || "(root)"} ${issue.message}` : "unknown problem"}. Capture it again with \`baton eval capture\`.`,
      { path },
    );
  }
  return result.data;
}

/** The eval cases in a folder (`evals/<chain>`, a path or a `file:` URL), in file name order; none when it does not exist. */
export function readEvalCases(folder: string | URL): EvalCase[] {
  return readCases(pathOf(folder));
}

async function materialOf(
  source: Chain<unknown, unknown> | string | URL,
  folder: string | URL | undefined,
): Promise<{ material: ChainMaterial; entry: string }> {
  if (typeof source === "string" || source instanceof URL) {
    const path = pathOf(source);
    const { chain, entry } = await importChainFolder(path);
    const extras = readChainExamples(path);
    return { material: { chain: chain.definition, examples: extras.examples, exampleInput: extras.exampleInput, folder: path }, entry };
  }
  const path = folder === undefined ? undefined : pathOf(folder);
  if (path !== undefined && !existsSync(path)) {
    throw new BatonError(
      "CHAIN_NOT_FOUND",
      `The folder ${path} does not exist. Give testChain the chain's own folder, e.g. new URL(".", import.meta.url) in a test beside it.`,
      {
        path,
      },
    );
  }
  const extras = path === undefined ? {} : readChainExamples(path);
  return {
    material: { chain: source.definition, examples: extras.examples, exampleInput: extras.exampleInput, folder: path },
    entry: path ?? "(given as a value)",
  };
}

/**
 * Test a chain: by value (`import chain from "./index.js"`, with `folder` for its examples) or
 * by folder. Resolves with the run's status, outputs, approvals, check results, the model's
 * prompts, the notifications and `problems` — empty when the run did what the test expects.
 * Throws only for a test that cannot run at all (a chain folder that is not one, a broken case file).
 */
export async function testChain<Input, Outputs>(source: Chain<Input, Outputs>, options?: ChainTestOptions<Outputs>): Promise<ChainTestResult<Outputs>>;
export async function testChain(source: string | URL, options?: ChainTestOptions): Promise<ChainTestResult>;
export async function testChain(
  source: Chain<unknown, unknown> | string | URL,
  options: ChainTestOptions<Record<string, unknown>> = {},
): Promise<ChainTestResult> {
  const { material, entry } = await materialOf(source, options.folder);
  const chainId = material.chain.id;
  let scenario: Scenario;
  if (options.evalCase !== undefined) {
    if (options.input !== undefined || options.answers !== undefined || options.decisions !== undefined) {
      throw new BatonError(
        "COMMAND_INVALID",
        "A recorded eval case brings its own input, answers and decisions: give testChain the case alone (and `expect`, if you like).",
        {
          chainId,
        },
      );
    }
    const evalCase = typeof options.evalCase === "string" || options.evalCase instanceof URL ? readCaseFile(options.evalCase) : options.evalCase;
    const source =
      typeof options.evalCase === "string" || options.evalCase instanceof URL ? `case ${basename(pathOf(options.evalCase))}` : `case ${evalCase.id}`;
    scenario = caseScenario(material, evalCase, source);
    scenario.expect = options.expect ?? {};
    if (options.name !== undefined) scenario.name = options.name;
  } else {
    const planned = {
      name: options.name ?? EXAMPLES_SCENARIO,
      ...(options.input === undefined ? {} : { input: options.input }),
      ...(options.answers === undefined ? {} : { answers: options.answers }),
      ...(options.decisions === undefined ? {} : { decisions: options.decisions }),
      ...(options.expect === undefined ? {} : { expect: options.expect }),
    };
    scenario = plannedScenario(material, planned, material.folder === undefined ? "the answers given" : "examples.json");
  }
  const test = await openTestRuntime({
    environment: {},
    logger: silent,
    loaded: {
      chains: [{ definition: material.chain }],
      examples: {},
      exampleInputs: {},
      files: { [chainId]: entry },
      directories: material.folder === undefined ? [] : [{ path: dirname(material.folder), shipped: false }],
    },
    ...(options.resources === undefined ? {} : { resources: options.resources }),
  });
  try {
    return await runScenario(test, material, scenario);
  } finally {
    await test.close();
  }
}
