/**
 * The public API for chain files in `chains/`: import from here and nothing else of baton's.
 */
export { defineChain } from "./core/chain-builder.js";
export { durationToMs, type Duration } from "./core/duration.js";
export type {
  ChainResources,
  ActionServices,
  ApprovalPolicy,
  Chain,
  ChainOptions,
  ChangeRequest,
  LlmStepOptions,
  ActionStepOptions,
  StepContext,
} from "./core/chain.js";
export type { StepScorer, ScorerResult } from "./core/step-scorer.js";
/** Scorers for `baton eval run`: word limits and coverage. */
export { coverageScore, wordLimitScore } from "./evals/scorer-helpers.js";
/** Drift: how people decided the models' proposals, per chain, step, model and prompt version (the weekly digest reads it). */
export { collectDriftStats, type DriftRow } from "./evals/drift-stats.js";
export type { Notification, Notifier } from "./core/ports.js";
export { z } from "zod";
/** The normalised alert that alert webhooks hand to incident chains. */
export { NormalizedAlertSchema as AlertSchema } from "./core/incidents.js";
/** Documents: split a long one into chunks with section names and line numbers (map steps read them). */
export { chunkDocument, type DocumentChunk } from "./documents/chunker.js";
/** Terraform: resource changes from a plan or a diff, and the policy rule pack (the IaC review's deterministic half). */
export { parsePolicyConfig, reviewChanges, type Finding, type PolicyConfig, type ResourceChange, type Severity } from "./iac/index.js";
/** Pull requests: the diff of their files, and which diff lines a review comment may go on. */
export { commentableLines, unifiedDiffOf } from "./core/pull-requests.js";
