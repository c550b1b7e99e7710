import type { Actor } from "../core/approval-rules.js";
import type { ChainDefinition, Step } from "../core/chain.js";
import { isBatonError } from "../core/errors.js";
import type { ApprovalRecord, AuditEvent, Notification, RunFailure, RunStatus } from "../core/ports.js";
import type { DecisionRequest } from "../core/runner.js";
import { TimeOrderedIds } from "../system/ids.js";
import { describeRunFailure, outputProblems } from "./expectations.js";
import { type ChainMaterial, inputFieldsOf, recordedAnswers, type Scenario } from "./scenarios.js";
import type { ModelCall } from "./test-model.js";
import type { ResolvedDecision } from "./test-plan.js";
import type { TestRuntime } from "./test-runtime.js";

/**
 * The test kit's engine, behind both `baton test` and `testChain`: one scenario of one chain,
 * end to end on the real runner — started from the scenario's input, answered by its script,
 * its approvals decided as it says — then judged against what it expects.
 */

/** Who decides in a test: recorded on the (throwaway) approvals. */
const TEST_ACTOR: Actor = { id: "test:baton", trusted: true };

/** A chain asks for more approvals than this only if deciding never lets it finish (a loop). */
const MAX_APPROVALS = 50;

const ids = new TimeOrderedIds();

/** One approval round and how the test decided it. */
export interface TestApproval {
  stepId: string;
  round: number;
  proposal: unknown;
  status: ApprovalRecord["status"];
  /** The edited output, for `edited`. */
  editedOutput: unknown;
  /** The change request's comment or the rejection's reason. */
  comment: string | null;
}

/** One model answer the schema accepted, and what the step's `check` made of it. */
export interface CheckResult {
  stepId: string;
  /** A map step's item, from 1; null for an LLM step. */
  item: number | null;
  attempt: number;
  passed: boolean;
  problems: string[];
}

export interface ChainTestResult<Outputs = Record<string, unknown>> {
  chainId: string;
  scenario: string;
  /** Null when the run never started (its input was missing or refused: see `problems`). */
  runId: string | null;
  status: RunStatus | null;
  /** True when `problems` is empty. */
  passed: boolean;
  /** What is wrong, each naming the step, check or output and the fix; empty when the test passed. */
  problems: string[];
  /** Each finished step's output (after approvals and edits), by step id; skipped steps are absent. */
  outputs: Partial<Outputs>;
  approvals: TestApproval[];
  /** Every answer to a step that has a `check`, in order: a failed one was sent back to the model. */
  checks: CheckResult[];
  /** The prompts the model was given, in order. */
  modelCalls: ModelCall[];
  /** What the run's actions posted. */
  notifications: Notification[];
  error: RunFailure | null;
}

function notStarted(chainId: string, scenario: Scenario, problem: string): ChainTestResult {
  return {
    chainId,
    scenario: scenario.name,
    runId: null,
    status: null,
    passed: false,
    problems: [problem],
    outputs: {},
    approvals: [],
    checks: [],
    modelCalls: [],
    notifications: [],
    error: null,
  };
}

/** Mistakes in the scenario itself, found before anything runs: unknown steps, decisions no step can use. */
function scenarioProblems(chain: ChainDefinition, scenario: Scenario): string[] {
  const problems: string[] = [];
  const steps = new Map(chain.steps.map((step) => [step.id, step]));
  const known = `its steps: ${chain.steps.map((step) => step.id).join(", ")}`;
  for (const stepId of Object.keys(scenario.decisions)) {
    const step = steps.get(stepId);
    if (step === undefined) problems.push(`the decisions name step "${stepId}", which chain "${chain.id}" does not have (${known}).`);
    else if (step.approval === undefined) problems.push(`the decisions name step "${stepId}", which has no approval gate: it never asks for a decision.`);
  }
  for (const stepId of Object.keys(scenario.answers)) {
    const step = steps.get(stepId);
    if (step === undefined) problems.push(`${scenario.answersFrom} answers step "${stepId}", which chain "${chain.id}" does not have (${known}).`);
    else if (step.kind === "action") problems.push(`${scenario.answersFrom} answers step "${stepId}", an action step: only model steps take answers.`);
  }
  return problems;
}

/** What to add when the chain lacks the files its examples scenario needs. */
function materialProblems(material: ChainMaterial, scenario: Scenario): string[] {
  const where = material.folder === undefined ? "" : ` beside ${material.folder}/index.ts`;
  const problems: string[] = [];
  if (scenario.input === undefined) {
    const fields = inputFieldsOf(material.chain);
    problems.push(
      `it has no example-input.json. Add one${where}: a JSON object its input schema accepts${fields.length > 0 ? ` (fields: ${fields.join(", ")})` : ""}.`,
    );
  }
  const modelSteps = material.chain.steps.filter((step) => step.kind !== "action").map((step) => step.id);
  const unanswered = modelSteps.filter((stepId) => scenario.answers[stepId] === undefined);
  if (material.examples === undefined && unanswered.length > 0)
    problems.push(`it has no examples.json. Add one${where} with an answer for each model step: ${unanswered.map((id) => `"${id}"`).join(", ")}.`);
  return problems;
}

function checkResults(chain: ChainDefinition, events: ReadonlyArray<AuditEvent>): CheckResult[] {
  const checked = new Set(chain.steps.filter((step) => hasCheck(step)).map((step) => step.id));
  const results: CheckResult[] = [];
  for (const [index, event] of events.entries()) {
    if (event.type !== "model.call" || event.stepId === null || !checked.has(event.stepId)) continue;
    const outcome = event.data["outcome"];
    if (outcome !== "valid" && outcome !== "check_failed") continue;
    const item = typeof event.data["item"] === "number" ? event.data["item"] : null;
    const attempt = typeof event.data["attempt"] === "number" ? event.data["attempt"] : 1;
    const invalid =
      outcome === "check_failed" ? events.slice(index + 1).find((later) => later.type === "model.output_invalid" && later.stepId === event.stepId) : undefined;
    const issues = Array.isArray(invalid?.data["issues"]) ? (invalid.data["issues"] as Array<{ path?: unknown; message?: unknown }>) : [];
    const problems = issues.map((issue) => (issue.path === "(root)" ? String(issue.message) : `${String(issue.path)}: ${String(issue.message)}`));
    results.push({ stepId: event.stepId, item, attempt, passed: outcome === "valid", problems });
  }
  return results;
}

function hasCheck(step: Step): boolean {
  if (step.kind === "llm") return step.check !== undefined;
  // A map step's check is the same for every item; its item step shows whether there is one.
  if (step.kind === "map") return step.itemStep(undefined, 0).check !== undefined;
  return false;
}

function toRequest(decision: ResolvedDecision): DecisionRequest {
  switch (decision.kind) {
    case "request_changes":
      return { kind: "request_changes", feedback: decision.comment };
    default:
      return decision;
  }
}

/** Run one scenario of `material`'s chain on `test`'s runtime. */
export async function runScenario(test: TestRuntime, material: ChainMaterial, scenario: Scenario): Promise<ChainTestResult> {
  const { runtime, model, notifier } = test;
  const chain = material.chain;
  const missing = [...materialProblems(material, scenario), ...scenarioProblems(chain, scenario)];
  if (missing.length > 0) return { ...notStarted(chain.id, scenario, missing[0] ?? ""), problems: missing };

  const runId = ids.next("r_");
  model.script(runId, scenario.answers, scenario.answersFrom);
  const problems: string[] = [];
  try {
    await runtime.runner.start(chain.id, scenario.input, { startedBy: TEST_ACTOR.id, origin: { source: "test" }, runId });
  } catch (error) {
    model.release(runId);
    if (isBatonError(error)) return notStarted(chain.id, scenario, `its input was refused: [${error.code}] ${error.message}`);
    throw error;
  }
  const used = new Map<string, number>();
  let run = await runtime.runner.settled(runId);
  for (let approvals = 0; run.status === "awaiting_approval"; approvals += 1) {
    if (approvals >= MAX_APPROVALS) {
      problems.push(`it asked for more than ${String(MAX_APPROVALS)} approvals: does a decision send a step back for ever?`);
      break;
    }
    const [approval] = await runtime.store.listApprovals({ runId, statuses: ["pending"], limit: 1 });
    if (!approval) {
      problems.push("it waits for an approval that cannot be found");
      break;
    }
    const round = used.get(approval.stepId) ?? 0;
    used.set(approval.stepId, round + 1);
    const decision: ResolvedDecision = scenario.decisions[approval.stepId]?.[round] ?? { kind: "approve" };
    const step = chain.steps[approval.stepIndex];
    if (decision.kind === "request_changes" && decision.answer !== undefined && step !== undefined)
      model.replace(runId, approval.stepId, recordedAnswers(step, decision.answer));
    try {
      await runtime.runner.decide(approval.id, toRequest(decision), TEST_ACTOR);
    } catch (error) {
      if (!isBatonError(error)) throw error;
      problems.push(`step "${approval.stepId}", round ${String(approval.round)}: the test's ${decision.kind} was refused: [${error.code}] ${error.message}`);
      break;
    }
    run = await runtime.runner.settled(runId);
  }

  const [steps, approvals, events] = await Promise.all([
    runtime.store.getSteps(runId),
    runtime.store.listApprovals({ runId, limit: 1_000 }),
    runtime.store.listEvents(runId),
  ]);
  const outputs: Record<string, unknown> = {};
  for (const record of [...steps].sort((left, right) => left.stepIndex - right.stepIndex))
    if (record.status === "succeeded") outputs[record.stepId] = record.output;

  const rejects = Object.values(scenario.decisions).some((list) => list.some((decision) => decision.kind === "reject"));
  const expected = scenario.expect.status ?? (rejects ? "rejected" : "succeeded");
  if (problems.length === 0 && run.status !== expected) {
    const retry = run.status === "running" ? await runtime.store.getRetry(runId) : undefined;
    if (run.status === "failed") problems.push(describeRunFailure(run.error, scenario.answersFrom));
    else if (retry !== undefined)
      problems.push(
        `step "${retry.stepId}" met an error it retries later ([${retry.code}] ${retry.message}), so the run did not finish. Fix the action, or what it calls.`,
      );
    else problems.push(`the run ended ${run.status}, but the test expects ${expected}.${run.status === "rejected" ? " A decision rejected it." : ""}`);
  }
  problems.push(...outputProblems(scenario, outputs));
  const notifications = notifier.sent.filter((notification) => notification.runId === runId);
  if (scenario.expect.notifications !== undefined && notifications.length !== scenario.expect.notifications)
    problems.push(`its actions sent ${String(notifications.length)} notification(s), but the test expects ${String(scenario.expect.notifications)}.`);

  return {
    chainId: chain.id,
    scenario: scenario.name,
    runId,
    status: run.status,
    passed: problems.length === 0,
    problems,
    outputs,
    approvals: approvals
      .sort((left, right) => left.requestedAt - right.requestedAt || left.round - right.round)
      .map((approval) => ({
        stepId: approval.stepId,
        round: approval.round,
        proposal: approval.proposal,
        status: approval.status,
        editedOutput: approval.editedOutput,
        comment: approval.comment,
      })),
    checks: checkResults(chain, events),
    modelCalls: model.release(runId),
    notifications,
    error: run.error,
  };
}
