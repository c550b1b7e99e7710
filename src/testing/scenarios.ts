import { z } from "zod";
import type { ChainDefinition, Step } from "../core/chain.js";
import { BatonError } from "../core/errors.js";
import type { EvalCase } from "../evals/eval-case.js";
import { answersFromExample, type StepAnswers } from "./test-model.js";
import { DEFAULT_REJECTION, type PlannedScenario, type ResolvedDecision, resolveDecisions, type TestExpectations } from "./test-plan.js";

/**
 * A scenario: one run of a chain under test — its input, the model's answers, the decisions at
 * its approvals and what is expected of it. Made from the chain's examples (the default), a
 * planned scenario (test-plan.json, `--decide`, `testChain`'s options) or a recorded eval case.
 */
export interface Scenario {
  name: string;
  /** Undefined when there is none (no example-input.json): the test says what to add. */
  input: unknown;
  answers: Record<string, StepAnswers>;
  /** Where the answers came from, as the messages name it ("examples.json", "case x"). */
  answersFrom: string;
  decisions: Record<string, ResolvedDecision[]>;
  expect: TestExpectations;
  /** Outputs that must come out exactly (a recorded case's reference), by step id. */
  exactOutputs: Record<string, unknown>;
}

/** What a chain brings to its tests: the definition and the files beside it. */
export interface ChainMaterial {
  chain: ChainDefinition;
  /** examples.json: step id → answer (or list of answers by attempt). */
  examples: Record<string, unknown> | undefined;
  /** example-input.json. */
  exampleInput: unknown;
  /** The chain's folder, for messages; undefined for a chain given as a value. */
  folder: string | undefined;
}

/** The name of the scenario every chain gets: its examples, every approval approved. */
export const EXAMPLES_SCENARIO = "examples";

function exampleAnswers(examples: Record<string, unknown> | undefined): Record<string, StepAnswers> {
  return Object.fromEntries(Object.entries(examples ?? {}).map(([stepId, entry]) => [stepId, answersFromExample(entry)]));
}

/** A planned scenario on top of the chain's examples: its input, answers and decisions replace theirs. */
export function plannedScenario(material: ChainMaterial, planned: PlannedScenario, answersFrom = "examples.json"): Scenario {
  const answers = exampleAnswers(material.examples);
  for (const [stepId, entry] of Object.entries(planned.answers ?? {})) answers[stepId] = answersFromExample(entry);
  return {
    name: planned.name,
    input: "input" in planned && planned.input !== undefined ? planned.input : material.exampleInput,
    answers,
    answersFrom: planned.answers === undefined ? answersFrom : `${answersFrom} and the scenario's answers`,
    decisions: resolveDecisions(planned.decisions ?? {}),
    expect: planned.expect ?? {},
    exactOutputs: {},
  };
}

/** One answer for a step as its output holds it: a map step's output is its items' answers, in order. */
export function recordedAnswers(step: Step, output: unknown): StepAnswers {
  return step.kind === "map" && Array.isArray(output) ? { perItem: true, answers: output } : { perItem: false, answers: [output] };
}

function decisionsOf(evalCase: EvalCase): ResolvedDecision[] {
  const { kind, output, feedback } = evalCase.reference;
  switch (kind) {
    case "unreviewed":
      return [];
    case "approved":
      return [{ kind: "approve" }];
    case "edited":
      return [{ kind: "edit", output }];
    case "rejected":
      return [{ kind: "reject", reason: feedback.at(-1) ?? DEFAULT_REJECTION }];
    case "changes_requested": {
      // Each change request, answered by the proposal again, until the last, answered by what
      // people settled on; a case whose run ended rejected ends with the rejection.
      const rejectedAtLast = output === null;
      const requests = rejectedAtLast ? feedback.slice(0, -1) : feedback;
      const decisions: ResolvedDecision[] = requests.map((comment, index) => ({
        kind: "request_changes",
        comment,
        answer: index === requests.length - 1 && !rejectedAtLast ? output : evalCase.proposal,
      }));
      decisions.push(rejectedAtLast ? { kind: "reject", reason: feedback.at(-1) ?? DEFAULT_REJECTION } : { kind: "approve" });
      return decisions;
    }
  }
}

/**
 * A recorded eval case as a scenario: the case's input; the model steps before the case's step
 * answer what the run had from them, the case's step answers the recorded proposal, and the
 * steps after it answer from examples.json; the case's step is decided as people decided it,
 * and its output must come out as they settled it (the reference). Action steps run for real.
 */
export function caseScenario(material: ChainMaterial, evalCase: EvalCase, source: string): Scenario {
  const { chain } = material;
  const stepIndex = chain.steps.findIndex((step) => step.id === evalCase.stepId);
  const step = chain.steps[stepIndex];
  if (evalCase.chainId !== chain.id || step === undefined || step.kind === "action") {
    throw new BatonError(
      "EVAL_CASE_INVALID",
      `${source} is for step "${evalCase.stepId}" of chain "${evalCase.chainId}", which is not a model step of chain "${chain.id}". Capture the case again (baton eval capture), or delete it if the step is gone.`,
      { caseId: evalCase.id, chainId: chain.id, stepId: evalCase.stepId },
    );
  }
  const answers = exampleAnswers(material.examples);
  for (const earlier of chain.steps.slice(0, stepIndex)) {
    if (earlier.kind !== "action" && Object.hasOwn(evalCase.context.outputs, earlier.id))
      answers[earlier.id] = recordedAnswers(earlier, evalCase.context.outputs[earlier.id]);
  }
  answers[step.id] = recordedAnswers(step, evalCase.proposal);
  const decisions = decisionsOf(evalCase);
  const reference = evalCase.reference.output;
  return {
    name: `case ${evalCase.id}`,
    input: evalCase.context.input,
    answers,
    answersFrom: source,
    decisions: decisions.length === 0 ? {} : { [step.id]: decisions },
    expect: {},
    exactOutputs: reference === null ? {} : { [step.id]: reference },
  };
}

/** The fields a chain's input has, for the message that asks for an example-input.json. */
export function inputFieldsOf(chain: ChainDefinition): string[] {
  return chain.input instanceof z.ZodObject ? Object.keys(chain.input.shape as Record<string, unknown>) : [];
}
