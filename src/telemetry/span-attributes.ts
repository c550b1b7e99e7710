/**
 * Attribute names baton puts on its spans. The GenAI ones follow OpenTelemetry's semantic
 * conventions for generative AI client spans (https://opentelemetry.io/docs/specs/semconv/gen-ai/gen-ai-spans/,
 * status "development"): they are written out here rather than imported from the semantic
 * conventions package's incubating entry point, which may rename them in any release.
 * `gen_ai.system` is the name up to semantic conventions 1.36; `gen_ai.provider.name` replaces it
 * from 1.37. Both are sent so either kind of backend finds the provider.
 */
export const GEN_AI = {
  operationName: "gen_ai.operation.name",
  system: "gen_ai.system",
  providerName: "gen_ai.provider.name",
  requestModel: "gen_ai.request.model",
  requestTemperature: "gen_ai.request.temperature",
  responseModel: "gen_ai.response.model",
  responseFinishReasons: "gen_ai.response.finish_reasons",
  usageInputTokens: "gen_ai.usage.input_tokens",
  usageOutputTokens: "gen_ai.usage.output_tokens",
  /**
   * The prompt tokens served from the provider's cache, which `gen_ai.usage.input_tokens` already
   * includes (GenAI attribute registry, https://opentelemetry.io/docs/specs/semconv/registry/attributes/gen-ai/,
   * added by https://github.com/open-telemetry/semantic-conventions/pull/3163; the same name as
   * `ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS` in @opentelemetry/semantic-conventions 1.45).
   */
  usageCacheReadInputTokens: "gen_ai.usage.cache_read.input_tokens",
} as const;

/** `error.type`, the general semantic convention for what failed (https://opentelemetry.io/docs/specs/semconv/attributes-registry/error/). */
export const ERROR_TYPE = "error.type";

/** baton's own attributes: which run, chain and step a span belongs to. */
export const BATON = {
  runId: "baton.run.id",
  chainId: "baton.chain.id",
  stepId: "baton.step.id",
  stepIndex: "baton.step.index",
  stepStatus: "baton.step.status",
  runStatus: "baton.run.status",
  origin: "baton.run.origin",
  approvalId: "baton.approval.id",
  approvalRound: "baton.approval.round",
  approvalDecision: "baton.approval.decision",
  attempt: "baton.model.attempt",
  responseMode: "baton.model.response_mode",
  slackChannel: "slack.channel.id",
  slackThread: "slack.thread.ts",
  slackMethod: "slack.method",
  githubRepository: "github.repository",
  githubPullRequest: "github.pull_request.number",
} as const;
