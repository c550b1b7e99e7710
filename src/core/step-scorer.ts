import type { ErasedContext, StepContext } from "./chain.js";

/**
 * A chain's own measure of one answer, for `baton eval run`: 1 is as good as it gets, 0 is
 * useless. It sees the answer and the step's context (the case's input and earlier outputs), so
 * it can ask "is every must requirement traced" or "is every resource named one that exists".
 * Must be pure and fast; it never runs in production runs.
 */
export interface StepScorer<Input, Outputs, Output> {
  /** Shown as a column in the eval table and a key in its JSON: `musts-traced`, `word-limit`. */
  name: string;
  score(output: Output, context: StepContext<Input, Outputs>): ScorerResult;
}

/** A score between 0 and 1, or one with a note saying what cost points. */
export type ScorerResult = number | { score: number; note?: string };

/** A scorer as the eval runner holds it (method syntax: parameters are checked bivariantly). */
export interface ErasedStepScorer {
  name: string;
  score(output: unknown, context: ErasedContext): ScorerResult;
}
