import { z } from "zod";
import type { RunStatus } from "../core/ports.js";
import { RUN_STATUSES } from "../core/records.js";

/**
 * What a chain test decides at each approval, and what it expects of the run: the test kit's
 * vocabulary, shared by `testChain` (TypeScript), a chain's `test-plan.json` and `baton test
 * --decide` (JSON and flags, parsed here with the same rules).
 */

/**
 * How a test decides one round of a step's approval. `"approve"` and `"reject"` are short for
 * `{ kind: "approve" }` and `{ kind: "reject" }`. `request_changes` sends the comment back to the
 * model; `answer` is the model's answer to that re-ask (default: the step's answers again).
 */
export type TestDecision<Output = unknown> =
  | "approve"
  | "reject"
  | { kind: "approve" }
  | { kind: "edit"; output: Output }
  | { kind: "request_changes"; comment: string; answer?: Output }
  | { kind: "reject"; reason?: string };

/** A step's decisions, one per round of its approval in order; rounds past the list are approved. */
export type StepDecisions<Outputs> = {
  [Step in keyof Outputs & string]?: TestDecision<Outputs[Step]> | ReadonlyArray<TestDecision<Outputs[Step]>>;
};

/** A decision in the form the engine applies. */
export type ResolvedDecision =
  | { kind: "approve" }
  | { kind: "edit"; output: unknown }
  | { kind: "request_changes"; comment: string; answer?: unknown }
  | { kind: "reject"; reason: string };

/** The reason recorded for a rejection that gives none. */
export const DEFAULT_REJECTION = "rejected by the test";

export function resolveDecision(decision: TestDecision): ResolvedDecision {
  if (decision === "approve") return { kind: "approve" };
  if (decision === "reject") return { kind: "reject", reason: DEFAULT_REJECTION };
  if (decision.kind === "reject") return { kind: "reject", reason: decision.reason?.trim() || DEFAULT_REJECTION };
  return decision;
}

/** Each step's decisions as a list. */
export function resolveDecisions(
  decisions: Readonly<Record<string, TestDecision | ReadonlyArray<TestDecision> | undefined>>,
): Record<string, ResolvedDecision[]> {
  const resolved: Record<string, ResolvedDecision[]> = {};
  for (const [stepId, value] of Object.entries(decisions)) {
    if (value === undefined) continue;
    const list: ReadonlyArray<TestDecision> = typeof value === "string" || !Array.isArray(value) ? [value as TestDecision] : value;
    resolved[stepId] = list.map(resolveDecision);
  }
  return resolved;
}

/** What a scenario expects of its run; every field optional. */
export interface TestExpectations {
  /** Default: `rejected` when a decision rejects, else `succeeded`. */
  status?: RunStatus;
  /** Step id → the output's expected fields: objects match on the fields given, arrays and values exactly. */
  outputs?: Record<string, unknown>;
  /** How many notifications the run sends (what its actions post). */
  notifications?: number;
}

const present = (value: { output?: unknown; answer?: unknown }, key: "output" | "answer"): boolean => key in value && value[key] !== undefined;

const DecisionObjectSchema = z
  .discriminatedUnion("kind", [
    z.object({ kind: z.literal("approve") }).strict(),
    z.object({ kind: z.literal("edit"), output: z.unknown() }).strict(),
    z.object({ kind: z.literal("request_changes"), comment: z.string().trim().min(1, "say what to change"), answer: z.unknown().optional() }).strict(),
    z.object({ kind: z.literal("reject"), reason: z.string().optional() }).strict(),
  ])
  .refine((decision) => decision.kind !== "edit" || present(decision, "output"), { message: "an edit needs the edited output", path: ["output"] });

export const DecisionSchema = z.union([z.enum(["approve", "reject"]), DecisionObjectSchema]) as z.ZodType<TestDecision>;

const ExpectationsSchema = z
  .object({
    status: z.enum(RUN_STATUSES as [RunStatus, ...RunStatus[]]).optional(),
    outputs: z.record(z.string(), z.unknown()).optional(),
    notifications: z.number().int().min(0).optional(),
  })
  .strict();

export const ScenarioSchema = z
  .object({
    name: z.string().trim().min(1),
    /** The run's input; default the chain's example-input.json. */
    input: z.unknown().optional(),
    /** Step id → answers that replace the step's entry in examples.json (same form). */
    answers: z.record(z.string(), z.unknown()).optional(),
    decisions: z.record(z.string(), z.union([DecisionSchema, z.array(DecisionSchema)])).optional(),
    expect: ExpectationsSchema.optional(),
  })
  .strict();

/** One scenario as a plan gives it (a test-plan.json entry, `--decide`, `testChain`'s options). */
export interface PlannedScenario {
  name: string;
  input?: unknown;
  answers?: Record<string, unknown>;
  decisions?: Readonly<Record<string, TestDecision | ReadonlyArray<TestDecision> | undefined>>;
  expect?: TestExpectations;
}

/** A chain's `test-plan.json`: scenarios run after the chain's examples. */
export const TestPlanSchema = z.object({ $comment: z.string().optional(), scenarios: z.array(ScenarioSchema).min(1) }).strict();

export type TestPlan = z.infer<typeof TestPlanSchema>;
