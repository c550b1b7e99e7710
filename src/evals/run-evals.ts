import type { ChainDefinition, LlmStep } from "../core/chain.js";
import type { ModelStepEnvironment } from "../core/model-step.js";
import type { EvalCase } from "./eval-case.js";
import { contextOf, replayCase, type StepReplay } from "./replay-case.js";
import { fieldSimilarity, similarity } from "./similarity.js";

/**
 * What is compared: a model on the chain's current steps (`model` undefined: the step's own or
 * the configured one), or the proposals captured in the cases (the prompt version and model
 * that made them), scored the same way without calling anything.
 */
export type EvalVariant = { kind: "model"; label: string; model: string | undefined } | { kind: "captured"; label: string };

export interface ScorerScore {
  score: number;
  note?: string;
}

export interface CaseScore {
  caseId: string;
  stepId: string;
  referenceKind: EvalCase["reference"]["kind"];
  /** Null for the captured variant (nothing was called). */
  replay: StepReplay | null;
  valid: boolean;
  /** Similarity to the reference output, overall and per top-level field; null without a reference. */
  similarity: number | null;
  fields: Record<string, number> | null;
  scorers: Record<string, ScorerScore>;
  /** 0 to 1: see `caseScoreOf`. */
  score: number;
}

export interface VariantReport {
  label: string;
  model: string | null;
  promptVersions: string[];
  /** The mean of the case scores. */
  score: number;
  cases: CaseScore[];
  totals: {
    valid: number;
    firstTryValid: number;
    repairs: number;
    checkProblems: number;
    inputTokens: number;
    /** The part of `inputTokens` served from the servers' prompt caches. */
    cachedInputTokens: number;
    outputTokens: number;
    costUsd: number;
    latencyMs: number;
  };
}

export interface EvalReport {
  chainId: string;
  caseCount: number;
  variants: VariantReport[];
}

const mean = (values: ReadonlyArray<number>): number => (values.length === 0 ? 0 : values.reduce((sum, value) => sum + value, 0) / values.length);
const clamp = (value: number): number => (Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : 0);

function runScorers(step: LlmStep | undefined, output: unknown, evalCase: EvalCase): Record<string, ScorerScore> {
  const scores: Record<string, ScorerScore> = {};
  for (const scorer of step?.scorers ?? []) {
    const result = scorer.score(output, contextOf(evalCase));
    scores[scorer.name] =
      typeof result === "number" ? { score: clamp(result) } : { score: clamp(result.score), ...(result.note === undefined ? {} : { note: result.note }) };
  }
  return scores;
}

/**
 * A case's score: 0 when no valid answer came back; otherwise the mean of how cleanly it came
 * (1 on the first try, 1/2 after one repair, 1/3 after two…), its similarity to the reference
 * answer (when the human left one) and each of the chain's scorers.
 */
export function caseScoreOf(valid: boolean, repairs: number | null, similarityScore: number | null, scorers: Record<string, ScorerScore>): number {
  if (!valid) return 0;
  const parts = [
    ...(repairs === null ? [] : [1 / (1 + repairs)]),
    ...(similarityScore === null ? [] : [similarityScore]),
    ...Object.values(scorers).map((scorer) => scorer.score),
  ];
  return parts.length === 0 ? 1 : mean(parts);
}

function scoreCase(chain: ChainDefinition, evalCase: EvalCase, replay: StepReplay | null): CaseScore {
  const step = chain.steps.find((candidate) => candidate.id === evalCase.stepId);
  // A map step's scorers would judge one item; the whole answer is judged by similarity.
  const llmStep = step?.kind === "llm" ? step : undefined;
  const valid = replay === null ? true : replay.ok;
  const output = replay === null ? evalCase.proposal : replay.output;
  const reference = evalCase.reference.output;
  const hasReference = valid && reference !== null && reference !== undefined && evalCase.reference.kind !== "rejected";
  const similarityScore = hasReference ? similarity(output, reference) : null;
  const fields =
    hasReference && typeof output === "object" && output !== null && !Array.isArray(output) && typeof reference === "object" && !Array.isArray(reference)
      ? fieldSimilarity(output as Record<string, unknown>, reference as Record<string, unknown>)
      : null;
  const scorers = valid ? runScorers(llmStep, output, evalCase) : {};
  return {
    caseId: evalCase.id,
    stepId: evalCase.stepId,
    referenceKind: evalCase.reference.kind,
    replay,
    valid,
    similarity: similarityScore,
    fields,
    scorers,
    score: caseScoreOf(valid, replay === null ? null : replay.repairs, similarityScore, scorers),
  };
}

function variantReport(label: string, model: string | null, cases: CaseScore[], promptVersions: ReadonlyArray<string | null>): VariantReport {
  const totals = { valid: 0, firstTryValid: 0, repairs: 0, checkProblems: 0, inputTokens: 0, cachedInputTokens: 0, outputTokens: 0, costUsd: 0, latencyMs: 0 };
  for (const scored of cases) {
    if (scored.valid) totals.valid += 1;
    const replay = scored.replay;
    if (!replay) continue;
    if (replay.firstTryValid) totals.firstTryValid += 1;
    totals.repairs += replay.repairs;
    totals.checkProblems += replay.checkProblems;
    totals.inputTokens += replay.inputTokens;
    totals.cachedInputTokens += replay.cachedInputTokens;
    totals.outputTokens += replay.outputTokens;
    totals.costUsd += replay.costUsd;
    totals.latencyMs += replay.latencyMs;
  }
  const versions = [...new Set(promptVersions.filter((version): version is string => version !== null))].sort();
  return { label, model, promptVersions: versions, score: mean(cases.map((scored) => scored.score)), cases, totals };
}

/**
 * Replay every case under every variant and score them, one variant after the other, so two
 * models or two prompt versions meet the same cases in one run. Nothing is written anywhere.
 */
export async function runEvals(
  chain: ChainDefinition,
  cases: ReadonlyArray<EvalCase>,
  variants: ReadonlyArray<EvalVariant>,
  environmentFor: (variant: Extract<EvalVariant, { kind: "model" }>) => ModelStepEnvironment,
): Promise<EvalReport> {
  const reports: VariantReport[] = [];
  for (const variant of variants) {
    const scored: CaseScore[] = [];
    const versions: Array<string | null> = [];
    const models: Array<string | null> = [];
    for (const evalCase of cases) {
      if (variant.kind === "captured") {
        scored.push(scoreCase(chain, evalCase, null));
        versions.push(evalCase.capturedFrom.promptVersion);
        models.push(evalCase.capturedFrom.model);
        continue;
      }
      const replay = await replayCase(environmentFor(variant), chain, evalCase, variant.model);
      scored.push(scoreCase(chain, evalCase, replay));
      versions.push(replay.promptVersion);
      models.push(replay.model);
    }
    const distinctModels = [...new Set(models.filter((model): model is string => model !== null))];
    reports.push(
      variantReport(
        variant.label,
        variant.kind === "model" && variant.model !== undefined ? variant.model : distinctModels.join(", ") || null,
        scored,
        versions,
      ),
    );
  }
  return { chainId: chain.id, caseCount: cases.length, variants: reports };
}
