/**
 * The public API for chain files in `chains/`: import from here and nothing else of baton's.
 */
export { defineChain } from "./core/chain-builder.js";
export { durationToMs, type Duration } from "./core/duration.js";
/** Errors an action step throws to steer its retries, and the retry policy a step may set. */
export { RetryableError, NonRetriableError, type RetryAfter } from "./core/step-errors.js";
export type { StepRetryPolicy } from "./core/retry-policy.js";
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
export { chunkDocument, type ChunkSection, type DocumentChunk } from "./documents/chunker.js";
/** Documents: where a quote from a chunk is (section, lines, pages, its whole sentence), or why it is not there. */
export { locateQuote, type QuoteCitation, type QuoteLocation } from "./documents/quote-location.js";
export type { DocumentBlock } from "./documents/block-types.js";
/** Token counts with the model's tokenizer (loaded on first use), for chunk budgets. */
export { loadModelTokenCounter } from "./llm/model-token-count.js";
/** Terraform: resource changes from a plan or a diff, and the policy rule pack (the IaC review's deterministic half). */
export { parsePolicyConfig, reviewChanges, type Finding, type PolicyConfig, type ResourceChange, type Severity } from "./iac/index.js";
/** Terraform: the whole deterministic review — plan summary, suppressions, scanners' findings, cost delta. */
export { assessChange, describeSuppression, parseInfracost, parsePolicyFile, parseScannerResults, todayOf } from "./iac/index.js";
/** Pull requests: the diff of their files, and which diff lines a review comment may go on. */
export { commentableLines, unifiedDiffOf } from "./core/pull-requests.js";
/**
 * Prompts: untrusted text (alerts, diffs, documents, model output, what people type) goes inside
 * `untrusted(tag, text)`, encoded so it cannot close its tag; data is fitted to the step's token
 * budget with `fitList` (fold, keep what fits, summarise the rest) and `fitText` (cut with a marker).
 */
export { decodeUntrusted, encodeUntrusted, untrusted } from "./core/untrusted-text.js";
export { countDistinct, cutCharacters, fitList, fitText, type FitListOptions, type PromptBudget, type PromptCut } from "./core/prompt-budget.js";
