import { diffJson } from "../core/json-diff.js";
import type { RunFailure } from "../core/ports.js";
import type { Scenario } from "./scenarios.js";

/**
 * What a chain test finds wrong with a finished run, each problem a sentence that names the
 * step, the check or the output, and what to change.
 */

const show = (value: unknown): string => (value === undefined ? "missing" : JSON.stringify(value));

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function at(path: string, key: string | number): string {
  if (typeof key === "number") return `${path}[${String(key)}]`;
  return path === "" ? key : `${path}.${key}`;
}

/** Where `actual` differs from `expected`: objects on the fields `expected` gives, arrays and values exactly. */
export function outputMismatches(expected: unknown, actual: unknown, path = ""): string[] {
  if (isPlainObject(expected)) {
    if (!isPlainObject(actual)) return [`${path || "the output"} is ${show(actual)}, expected an object`];
    return Object.entries(expected).flatMap(([key, value]) => outputMismatches(value, actual[key], at(path, key)));
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return [`${path || "the output"} is ${show(actual)}, expected a list`];
    if (actual.length !== expected.length) return [`${path || "the output"} has ${String(actual.length)} item(s), expected ${String(expected.length)}`];
    return expected.flatMap((value, index) => outputMismatches(value, actual[index], at(path, index)));
  }
  return Object.is(expected, actual) ? [] : [`${path || "the output"} is ${show(actual)}, expected ${show(expected)}`];
}

/** A model step whose answers never passed: the check's problems, or the schema's. */
function modelFailure(stepId: string, failure: RunFailure, answersFrom: string): string | null {
  const attempts = failure.details?.["attempts"];
  if (failure.code !== "MODEL_OUTPUT_INVALID" || !Array.isArray(attempts)) return null;
  const last = attempts.at(-1) as { outcome?: unknown; issues?: unknown } | undefined;
  if (last?.outcome !== "check_failed" || !Array.isArray(last.issues)) return null;
  const problems = (last.issues as Array<{ path?: unknown; message?: unknown }>).map((issue) =>
    issue.path === "(root)" || issue.path === undefined ? String(issue.message) : `${String(issue.path)}: ${String(issue.message)}`,
  );
  return `step "${stepId}": its ${answersFrom === "examples.json" ? "example answer" : `answer (from ${answersFrom})`} fails the step's check:\n  - ${problems.join("\n  - ")}\nFix the answer in ${answersFrom} (it must fit the run's input), or the check.`;
}

/** Why the run failed, with the step and the fix. */
export function describeRunFailure(failure: RunFailure | null, answersFrom: string): string {
  if (failure === null) return "the run failed without an error";
  const stepId = failure.stepId;
  if (stepId !== undefined) {
    const checked = modelFailure(stepId, failure, answersFrom);
    if (checked !== null) return checked;
  }
  const where = stepId === undefined ? "" : `step "${stepId}": `;
  const fix =
    failure.code === "MODEL_OUTPUT_INVALID"
      ? `\nFix the answer in ${answersFrom} so the step's output schema accepts it, or the schema.`
      : failure.code === "STEP_FAILED"
        ? "\nThe action threw: fix it, or the outputs it reads."
        : "";
  return `${where}[${failure.code}] ${failure.message}${fix}`;
}

/** The outputs a scenario names, and a recorded case's reference, against the run's outputs. */
export function outputProblems(scenario: Scenario, outputs: Readonly<Record<string, unknown>>): string[] {
  const problems: string[] = [];
  for (const [stepId, expected] of Object.entries(scenario.expect.outputs ?? {})) {
    if (!Object.hasOwn(outputs, stepId)) {
      problems.push(`step "${stepId}" has no output (it was skipped, or the run stopped before it), but the test expects one.`);
      continue;
    }
    const mismatches = outputMismatches(expected, outputs[stepId]);
    if (mismatches.length > 0)
      problems.push(
        `step "${stepId}": its output is not what the test expects:\n  - ${mismatches.join("\n  - ")}\nFix the answer or decision that made it, or the expectation.`,
      );
  }
  for (const [stepId, reference] of Object.entries(scenario.exactOutputs)) {
    if (!Object.hasOwn(outputs, stepId)) {
      problems.push(`step "${stepId}" has no output, but ${scenario.answersFrom} says people settled on one.`);
      continue;
    }
    const changes = diffJson(reference, outputs[stepId]);
    if (changes.length > 0) {
      const listed = changes.slice(0, 5).map((change) => `${change.path}: ${show(change.after)} instead of ${show(change.before)}`);
      problems.push(
        `step "${stepId}": its output differs from what people settled on in ${scenario.answersFrom}:\n  - ${listed.join("\n  - ")}${changes.length > 5 ? `\n  - … ${String(changes.length - 5)} more` : ""}\nThe chain now turns the recorded answer into something else: fix the chain, or capture the case again (baton eval capture).`,
      );
    }
  }
  return problems;
}
