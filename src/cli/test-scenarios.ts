import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { BatonError, describeError } from "../core/errors.js";
import { type PlannedScenario, type TestDecision, TestPlanSchema } from "../testing/test-plan.js";
import { parseJsonText } from "./json-text.js";

/**
 * Where `baton test` finds its scenarios besides a chain's examples: the chain's
 * `test-plan.json`, and `--decide` flags for one run decided by hand.
 */

/** The file beside a chain's index.ts with its further scenarios. */
export const TEST_PLAN_FILE = "test-plan.json";

const DECIDE_FORMS = "<step>=approve, <step>=reject[:<reason>], <step>=edit:<file.json> or <step>=request_changes:<comment>";

function readJsonFile(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new BatonError("COMMAND_INVALID", `Could not read ${what} ${path}: ${describeError(error)}. Give the path of a JSON file.`, { path });
  }
  return parseJsonText(text, path, "COMMAND_INVALID", `Fix the JSON of ${what}.`);
}

/** `--decide` flags, in order: step id → its decisions, one per round. */
export function parseDecideFlags(flags: ReadonlyArray<string>): Record<string, TestDecision[]> {
  const decisions: Record<string, TestDecision[]> = {};
  for (const flag of flags) {
    const match = /^([a-z][a-z0-9-]*)=(approve|reject|edit|request_changes)(?::([\s\S]*))?$/.exec(flag.trim());
    const [, stepId, kind, argument] = match ?? [];
    let decision: TestDecision | undefined;
    if (stepId !== undefined && kind !== undefined) {
      if (kind === "approve" && argument === undefined) decision = "approve";
      else if (kind === "reject") decision = argument === undefined ? "reject" : { kind: "reject", reason: argument };
      else if (kind === "edit" && argument?.trim()) decision = { kind: "edit", output: readJsonFile(resolve(argument.trim()), "the edited output") };
      else if (kind === "request_changes" && argument?.trim()) decision = { kind: "request_changes", comment: argument.trim() };
    }
    if (stepId === undefined || decision === undefined)
      throw new BatonError("COMMAND_INVALID", `--decide "${flag}" is not a decision. Write ${DECIDE_FORMS}; repeat it for a step's later rounds.`, { flag });
    (decisions[stepId] ??= []).push(decision);
  }
  return decisions;
}

/** The scenarios of the chain in `folder` from its test-plan.json; none when it has none. */
export function readTestPlan(folder: string): PlannedScenario[] {
  const path = join(folder, TEST_PLAN_FILE);
  if (!existsSync(path)) return [];
  const fix = 'Fix it (docs/chains.md, "The test kit", shows the format).';
  let parsed: unknown;
  try {
    parsed = parseJsonText(readFileSync(path, "utf8"), path, "TEST_PLAN_INVALID", fix);
  } catch (error) {
    if (error instanceof BatonError) throw error;
    throw new BatonError("TEST_PLAN_INVALID", `Could not read ${path}: ${describeError(error)}.`, { path });
  }
  const result = TestPlanSchema.safeParse(parsed);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new BatonError(
      "TEST_PLAN_INVALID",
      `${path} is not a test plan: ${issue ? `${issue.path.join(".") || "(root)"}: ${issue.message}` : "unknown problem"}. ${fix}`,
      {
        path,
      },
    );
  }
  const names = new Set<string>();
  for (const scenario of result.data.scenarios) {
    if (names.has(scenario.name))
      throw new BatonError("TEST_PLAN_INVALID", `${path} has two scenarios named "${scenario.name}". Give each its own name.`, { path });
    names.add(scenario.name);
  }
  return result.data.scenarios;
}
