import type { ChainDefinition, ErasedContext, LlmStep } from "../core/chain.js";
import { BatonError, describeError, isBatonError } from "../core/errors.js";
import { runModelStep, type ModelStepEnvironment } from "../core/model-step.js";
import type { AuditEventInput } from "../core/ports.js";
import type { EvalCase } from "./eval-case.js";

/** What replaying one case's model step gave: the answer and what it took to get it. */
export interface StepReplay {
  ok: boolean;
  output: unknown;
  /** The step's error message when it got no valid answer. */
  error: string | null;
  model: string | null;
  promptVersion: string | null;
  calls: number;
  /** Every item's first answer was valid (schema and checks): no re-ask, no other model. */
  firstTryValid: boolean;
  /** Calls beyond one per item: re-asks after invalid answers, and other models tried. */
  repairs: number;
  /** Problems the step's `check` found, over all its calls. */
  checkProblems: number;
  inputTokens: number;
  /** The part of `inputTokens` the server served from its prompt cache (billed lower). */
  cachedInputTokens: number;
  outputTokens: number;
  costUsd: number;
  latencyMs: number;
}

/** The context the case's step saw, with run details that point nowhere real. */
export function contextOf(evalCase: EvalCase): ErasedContext {
  return {
    input: evalCase.context.input,
    outputs: evalCase.context.outputs,
    run: { id: `eval-${evalCase.id}`, chainId: evalCase.chainId, startedBy: "eval" },
    feedback: [],
  };
}

function tally(replay: StepReplay, events: ReadonlyArray<AuditEventInput>): void {
  let previousOutcome: unknown;
  for (const event of events) {
    if (event.type === "model.call") {
      const data = event.data;
      replay.calls += 1;
      replay.latencyMs += typeof data["latencyMs"] === "number" ? data["latencyMs"] : 0;
      if (replay.model === null && typeof data["model"] === "string") replay.model = data["model"];
      if (replay.promptVersion === null && typeof data["promptVersion"] === "string") replay.promptVersion = data["promptVersion"];
      previousOutcome = data["outcome"];
    } else if (event.type === "model.output_invalid" && previousOutcome === "check_failed") {
      const issues = event.data["issues"];
      replay.checkProblems += Array.isArray(issues) ? issues.length : 0;
    }
  }
}

/**
 * Replay a case's model step: the same prompts, schema, checks and re-asks as in a run, with
 * nothing else — no store, no approval, no action step, no notification. `model` replaces the
 * step's model (and its fallbacks), so two models meet the same cases on equal terms.
 */
export async function replayCase(
  environment: ModelStepEnvironment,
  chain: ChainDefinition,
  evalCase: EvalCase,
  model: string | undefined,
): Promise<StepReplay> {
  const step = chain.steps.find((candidate) => candidate.id === evalCase.stepId);
  if (!step || step.kind === "action") {
    throw new BatonError(
      "EVAL_CASE_INVALID",
      `Case "${evalCase.id}" is for step "${evalCase.stepId}", which is not a model step of chain "${chain.id}". Capture the case again, or delete it if the step is gone.`,
      {
        caseId: evalCase.id,
        chainId: chain.id,
        stepId: evalCase.stepId,
      },
    );
  }
  const context = contextOf(evalCase);
  const asReplayed = (llmStep: LlmStep): LlmStep => (model === undefined ? llmStep : { ...llmStep, model, fallbackModels: [] });
  const llmSteps = step.kind === "llm" ? [step] : step.items(context).map((item, index) => step.itemStep(item, index));
  const replay: StepReplay = {
    ok: true,
    output: null,
    error: null,
    model: null,
    promptVersion: null,
    calls: 0,
    firstTryValid: false,
    repairs: 0,
    checkProblems: 0,
    inputTokens: 0,
    cachedInputTokens: 0,
    outputTokens: 0,
    costUsd: 0,
    latencyMs: 0,
  };
  const answers: unknown[] = [];
  for (const [index, llmStep] of llmSteps.entries()) {
    let result: Awaited<ReturnType<typeof runModelStep>>;
    try {
      const item = step.kind === "map" ? { item: index } : {};
      result = await runModelStep(environment, { step: asReplayed(llmStep), context, signal: new AbortController().signal, ...item });
    } catch (error) {
      if (isBatonError(error)) throw error;
      // The step's own prompt code met a context it no longer understands: the chain changed
      // since the case was captured.
      throw new BatonError(
        "EVAL_CASE_INVALID",
        `Case "${evalCase.id}" no longer fits step "${evalCase.stepId}" of chain "${chain.id}" (${describeError(error)}): the chain changed since it was captured. Capture it again from a recent run (baton eval capture), or delete it.`,
        { caseId: evalCase.id, chainId: chain.id, stepId: evalCase.stepId },
        { cause: error },
      );
    }
    tally(replay, result.events);
    replay.inputTokens += result.usage.inputTokens;
    replay.cachedInputTokens += result.usage.cachedInputTokens;
    replay.outputTokens += result.usage.outputTokens;
    replay.costUsd += result.usage.costUsd;
    if (!result.ok) {
      replay.ok = false;
      replay.error = result.error.message;
      break;
    }
    answers.push(result.output);
  }
  replay.repairs = Math.max(0, replay.calls - llmSteps.length);
  replay.firstTryValid = replay.ok && replay.repairs === 0;
  if (replay.ok) replay.output = step.kind === "llm" ? answers[0] : answers;
  return replay;
}
