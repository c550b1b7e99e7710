import type { z } from "zod";
import type { Duration } from "./duration.js";
import type { PromptBudget } from "./prompt-budget.js";
import type { StepRetryPolicy } from "./retry-policy.js";
import type { ErasedStepScorer, StepScorer } from "./step-scorer.js";

/**
 * The chain definition API's types. A chain is an id, an input schema and an ordered list of
 * steps, built with `defineChain(...).llm(...).action(...).build()` (chain-builder.ts). Each
 * step's callbacks see the run's input and the outputs of the steps before it, typed.
 */

/** What every step callback sees. */
export interface StepContext<Input, Outputs> {
  readonly input: Input;
  /** Outputs of earlier steps by step id (a skipped step's output is `undefined`). */
  readonly outputs: Outputs;
  readonly run: { readonly id: string; readonly chainId: string; readonly startedBy: string };
  /** Reviewers' "request changes" feedback on this step, oldest first; empty on the first try. */
  readonly feedback: ReadonlyArray<ChangeRequest>;
}

export interface ChangeRequest {
  feedback: string;
  /** The output the reviewer asked to change. */
  previousProposal: unknown;
  requestedBy: string;
}

/** A human approval gate on a step: the run pauses with the step's output as a proposal. */
export interface ApprovalPolicy<Input, Outputs, Output> {
  /** Ask only when this holds (e.g. high severity). Default: always. */
  when?: (context: StepContext<Input, Outputs>, proposal: Output) => boolean;
  /**
   * A floor no other step's output can lower: ask whenever this holds, whatever `when` says. It
   * sees only the proposal itself (a plan that has commands), never what a model said elsewhere
   * in the run (a severity), because `when` is often computed from model output that untrusted
   * input can steer.
   */
  floor?: (proposal: Output) => boolean;
  /** Who may decide: user ids or group ids; defaults to the chain's approvers. */
  approvers?: ReadonlyArray<string>;
  /** How long the approval stays open; defaults to the chain's (24h). */
  deadline?: Duration;
  /** Whether the person who started the run may approve it. Default: true. */
  allowSelfApproval?: boolean;
  /** One line shown above the proposal. */
  title?: string;
}

/**
 * What the deployment lends action steps beyond the store, set where the process is composed.
 * Every member is optional: a chain that needs one says what to configure when it is missing.
 */
import type { ActionServices } from "./chain-services.js";

export type { ActionServices, ChainResources, ReviewStart } from "./chain-services.js";

export interface StepCommon<Input, Outputs, Output> {
  /** What the step does, shown in `baton show` and on Slack cards. */
  description?: string;
  /** Skip the step when this holds; its output is then `undefined`. */
  skipIf?: (context: StepContext<Input, Outputs>) => boolean;
  approval?: ApprovalPolicy<Input, Outputs, Output>;
  /**
   * Tries after a transient fault (a model or GitHub outage, a `RetryableError`), durable across
   * restarts. Defaults per kind: see `DEFAULT_RETRY_POLICIES` (retry-policy.ts).
   */
  retry?: StepRetryPolicy;
}

export interface LlmStepOptions<Input, Outputs, Schema extends z.ZodType> extends StepCommon<Input, Outputs, z.output<Schema>> {
  /** Instructions only: the same text on every run (servers cache a stable prefix). The run's data goes in `user`. */
  system: string | ((context: StepContext<Input, Outputs>) => string);
  /**
   * The run's data for the model. `budget` says how many tokens it may take for the model being
   * called; fit untrusted data into it with `untrusted`, `fitList` and `fitText` (chain API). A
   * prompt over the budget fails the step before any call, with `PROMPT_TOO_LARGE`.
   */
  user: (context: StepContext<Input, Outputs>, budget: PromptBudget) => string;
  /** The answer must be JSON that this schema accepts. */
  output: Schema;
  /** Defaults to the configured model (`BATON_MODEL`). */
  model?: string;
  /** Tokens kept free for the answer in the model's context. Default 4,096 (at most a quarter of the window). */
  maxOutputTokens?: number;
  temperature?: number;
  /** Asks per model, re-asking with the validation errors. Default 3. */
  maxAttempts?: number;
  /** Tried in order when the model gives no valid answer; defaults to `BATON_FALLBACK_MODELS`. */
  fallbackModels?: ReadonlyArray<string>;
  /** Per model call, transport retries included. Default 60s. */
  timeoutMs?: number;
  /**
   * Deterministic checks of an answer the schema accepted — coverage (every requirement
   * addressed), arithmetic (line items add up), references (only resources that exist). Each
   * problem returned goes back to the model like a validation error, within the same attempts;
   * an empty list accepts the answer. Must be pure and fast: it runs on every answer.
   */
  check?: (output: z.output<Schema>, context: StepContext<Input, Outputs>) => ReadonlyArray<string | CheckProblem>;
  /** The chain's own quality measures of an answer, for `baton eval run` (never run in production). */
  scorers?: ReadonlyArray<StepScorer<Input, Outputs, z.output<Schema>>>;
}

/** A problem a step's `check` found: where in the answer (a path such as `costs.2.total`) and what. */
export interface CheckProblem {
  path: string;
  message: string;
}

export type { MapStepOptions } from "./map-step-definition.js";

export interface ActionStepOptions<Input, Outputs, Output> extends StepCommon<Input, Outputs, Output> {
  run: (context: StepContext<Input, Outputs>, services: ActionServices) => Promise<Output>;
  /** Validates the result (and edits of it, when the step has an approval gate). */
  output?: z.ZodType<Output>;
}

// ─── The erased form the runner works with ─────────────────────────────────
// Method syntax on purpose: parameters of methods are checked bivariantly, so a typed step's
// callbacks fit here without casts, and the runner deals in `unknown`.

export type ErasedContext = StepContext<unknown, Record<string, unknown>>;

export interface ErasedApprovalPolicy {
  when?(context: ErasedContext, proposal: unknown): boolean;
  floor?(proposal: unknown): boolean;
  approvers?: ReadonlyArray<string>;
  deadline?: Duration;
  allowSelfApproval?: boolean;
  title?: string;
}

interface ErasedStepCommon {
  id: string;
  description?: string;
  skipIf?(context: ErasedContext): boolean;
  approval?: ErasedApprovalPolicy;
  retry?: StepRetryPolicy;
}

export interface LlmStep extends ErasedStepCommon {
  kind: "llm";
  system(context: ErasedContext): string;
  user(context: ErasedContext, budget: PromptBudget): string;
  output: z.ZodType;
  model?: string;
  maxOutputTokens?: number;
  temperature?: number;
  maxAttempts?: number;
  fallbackModels?: ReadonlyArray<string>;
  timeoutMs?: number;
  check?(output: unknown, context: ErasedContext): ReadonlyArray<string | CheckProblem>;
  scorers?: ReadonlyArray<ErasedStepScorer>;
}

export interface ActionStep extends ErasedStepCommon {
  kind: "action";
  run(context: ErasedContext, services: ActionServices): Promise<unknown>;
  output?: z.ZodType;
}

export interface MapStep extends ErasedStepCommon {
  kind: "map";
  items(context: ErasedContext): ReadonlyArray<unknown>;
  concurrency: number;
  itemRetries: number;
  label(item: unknown, index: number): string;
  /** The LLM step that answers one item (its prompts and check see the item). */
  itemStep(item: unknown, index: number): LlmStep;
  /** The whole step's output: an array of item answers (validates edits at an approval). */
  output: z.ZodType;
}

export type Step = LlmStep | ActionStep | MapStep;

export interface ChainDefinition {
  id: string;
  title: string;
  description: string;
  input: z.ZodType;
  steps: ReadonlyArray<Step>;
  /** Default approvers for every gate of the chain. */
  approvers: ReadonlyArray<string>;
  /** Default approval deadline. */
  approvalDeadline: Duration;
  /** Reminders and escalation while an approval waits (adapters fill gaps from configuration). */
  approvalReminders: ApprovalReminders;
  /** Where runs that did not start in a channel (webhooks, schedules) are shown: a Slack channel id. */
  channel: string | undefined;
  /** Cron schedules that start the chain. */
  schedules: ReadonlyArray<ChainSchedule>;
  /** See `ChainOptions.outageWait`; absent means the default (30 minutes). */
  outageWait?: Duration;
  /** See `ChainOptions.inputFromText`. */
  inputFromText: ((text: string, source: string) => unknown) | undefined;
  /** See `ChainOptions.replaceShipped`. */
  replaceShipped: boolean;
}

/** While an approval waits: a reminder every `every`, an escalation after `escalateAfter`. */
export interface ApprovalReminders {
  every?: Duration;
  escalateAfter?: Duration;
  /** Who is mentioned on escalation: user or user-group ids. */
  escalateTo?: ReadonlyArray<string>;
}

/** Start the chain on a cron schedule (node-cron syntax, seconds optional) with a fixed input. */
export interface ChainSchedule {
  cron: string;
  input: unknown;
  /** An IANA time zone such as `Europe/Berlin`; default the server's. */
  timezone?: string;
}

/** A built chain; `Input` and `Outputs` are kept for typed tests and callers. */
export interface Chain<Input = unknown, Outputs = Record<string, unknown>> {
  readonly definition: ChainDefinition;
  /** Phantom fields for type inference only. */
  readonly types?: { input: Input; outputs: Outputs };
}

export interface ChainOptions<Schema extends z.ZodType> {
  id: string;
  title?: string;
  description: string;
  input: Schema;
  approvers?: ReadonlyArray<string>;
  approvalDeadline?: Duration;
  approvalReminders?: ApprovalReminders;
  /** A Slack channel id for runs that do not start in a channel (webhooks, schedules). */
  channel?: string;
  schedules?: ReadonlyArray<ChainSchedule>;
  /**
   * How long a run waits out an outage (transient faults of one step, retried per the step's
   * `retry` policy) before it fails. Default 30 minutes.
   */
  outageWait?: Duration;
  /**
   * Turns a file or text a person gives (`baton run <chain> --input <file>`) into the chain's
   * input, for chains whose natural input is a document (a Terraform plan, a diff). Throw a
   * BatonError("INPUT_INVALID", ...) saying what was expected. Default: JSON as is, or the text
   * into the chain's one text field.
   */
  inputFromText?: (text: string, source: string) => unknown;
  /**
   * A chain in BATON_CHAINS_DIR with the id of a chain baton ships (say `incident-response`) is
   * an error, so an upgrade that adds a chain never silently swaps yours for it or it for yours.
   * Set `replaceShipped: true` to use this chain instead of the shipped one with its id.
   */
  replaceShipped?: boolean;
}
