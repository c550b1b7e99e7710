import type { z } from "zod";
import type { ErasedContext, LlmStep } from "./chain.js";
import { BatonError, isBatonError, type ValidationIssue } from "./errors.js";
import { redactSecrets } from "./redact-secrets.js";
import type { ContextLimits } from "./context-budget.js";
import { readJsonAnswer } from "./json-answer.js";
import type { AuditEventInput, Clock, LlmClient, ModelMessage, ModelResponse, StepUsage, TokenCounter } from "./ports.js";
import { costOf, type PriceTable } from "./pricing.js";
import { assemblePrompt, conversationTokens, countedExactly, fitConversation, REASK_TOKENS } from "./prompt-assembly.js";
import { createPromptBudget, cutToTokens } from "./prompt-budget.js";
import { promptVersionFor } from "./prompt-version.js";
import { compileOutputSchema, type CompiledOutputSchema } from "./response-schema.js";
import type { Semaphore } from "./semaphore.js";
import { listIssues, toIssues } from "./validation.js";

/** What the runner lends a model step. */
export interface ModelStepEnvironment {
  llm: LlmClient;
  semaphore: Semaphore;
  clock: Clock;
  prices: PriceTable;
  defaultModel: string;
  defaultFallbackModels: ReadonlyArray<string>;
  /** Counts prompt tokens as each model does, to fit prompts to the model's context window. */
  tokens: TokenCounter;
  contextLimits: ContextLimits;
}

export interface ModelStepRequest {
  step: LlmStep;
  context: ErasedContext;
  signal: AbortSignal;
  /** A map step's item (0-based) this call answers; passed on in the request's purpose. */
  item?: number;
}

/** One model call and what became of its answer, kept on the error when the step fails. */
export interface ModelAttempt {
  model: string;
  attempt: number;
  outcome: "valid" | "invalid_json" | "schema_mismatch" | "check_failed" | "refused" | "transport_error";
  rawText: string;
  issues: ValidationIssue[];
  error?: string;
  /** For a transport error: the HTTP status (null: no answer) and the server's Retry-After, which steer step retries. */
  status?: number | null;
  retryAfterMs?: number;
}

export type ModelStepResult =
  | { ok: true; output: unknown; usage: StepUsage; events: AuditEventInput[]; scripted: boolean }
  | { ok: false; error: BatonError; usage: StepUsage; events: AuditEventInput[] };

const DEFAULT_MAX_ATTEMPTS = 3;
const DEFAULT_TIMEOUT_MS = 60_000;

// Converting a zod schema to JSON Schema is not free; each step's schema is converted once.
const compiledSchemas = new WeakMap<z.ZodType, CompiledOutputSchema>();

function compiledSchemaFor(step: LlmStep): CompiledOutputSchema {
  let compiled = compiledSchemas.get(step.output);
  if (!compiled) {
    compiled = compileOutputSchema(step.id, step.output);
    compiledSchemas.set(step.output, compiled);
  }
  return compiled;
}

type Judged = { kind: "valid"; value: unknown } | { kind: "invalid_json" | "schema_mismatch" | "check_failed"; issues: ValidationIssue[] };

/**
 * Parse, validate with the schema, then the step's own checks (a check that throws is a bug,
 * and fails the step). A scripted answer (the demo model) is an example, not an answer to this
 * input, so checks that compare it with the input are skipped for it.
 */
function judge(step: LlmStep, context: ErasedContext, text: string, scripted: boolean): Judged {
  const judged = judgeSchema(step.output, compiledSchemaFor(step), text);
  if (judged.kind !== "valid" || !step.check || scripted) return judged;
  const problems = step.check(judged.value, context);
  if (problems.length === 0) return judged;
  return {
    kind: "check_failed",
    issues: problems.map((problem) => (typeof problem === "string" ? { path: "(root)", message: problem } : { path: problem.path, message: problem.message })),
  };
}

function judgeSchema(schema: z.ZodType, compiled: CompiledOutputSchema, text: string): Judged {
  const answer = readJsonAnswer(text);
  if (!answer.ok) return { kind: "invalid_json", issues: [{ path: "(root)", message: answer.error }] };
  const result = schema.safeParse(compiled.restoreAbsentFields(answer.value));
  if (result.success) return { kind: "valid", value: result.data };
  return { kind: "schema_mismatch", issues: toIssues(result.error) };
}

function reaskMessage(issues: ReadonlyArray<ValidationIssue>): string {
  return `Your answer could not be used:\n${listIssues(issues)}\n\nReply again with only the corrected JSON object.`;
}

/**
 * Ask the model for the step's JSON, validate it with the step's zod schema, re-ask with the
 * errors (instructor style) up to `maxAttempts`, then try each fallback model the same way.
 * Nothing unvalidated leaves this function; a failure keeps every attempt's raw text.
 */
export async function runModelStep(environment: ModelStepEnvironment, request: ModelStepRequest): Promise<ModelStepResult> {
  const { step, context, signal, item } = request;
  const { clock } = environment;
  const models = [step.model ?? environment.defaultModel, ...(step.fallbackModels ?? environment.defaultFallbackModels)];
  const maxAttempts = step.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  const timeoutMs = step.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const { responseSchema } = compiledSchemaFor(step);

  const usage: StepUsage = { modelCalls: 0, inputTokens: 0, cachedInputTokens: 0, outputTokens: 0, costUsd: 0 };
  const events: AuditEventInput[] = [];
  const attempts: ModelAttempt[] = [];
  const event = (type: AuditEventInput["type"], data: Record<string, unknown>): void => {
    events.push({ runId: context.run.id, at: clock.now(), type, stepId: step.id, actor: null, data });
  };

  for (const model of models) {
    // Each model has its own window (a fallback may be smaller), so each gets its own fit.
    const assembled = assemblePrompt(environment, step, context, model, responseSchema);
    // The step's failure (its audit entry and the run's error) carries the sizes and the cuts.
    if (assembled instanceof BatonError) return { ok: false, error: assembled, usage, events };
    let prompt = assembled;
    let messages: ModelMessage[] = prompt.messages;
    const systemSent = messages.find((message) => message.role === "system")?.content ?? "";
    const promptVersion = promptVersionFor(step, { system: systemSent, responseSchema, model, temperature: step.temperature });
    for (let attempt = 1; attempt <= maxAttempts; attempt += 1) {
      // A re-ask's conversation is fitted, and its size audited, by exact counts.
      if (messages.length > 2) prompt = countedExactly(prompt);
      messages = fitConversation(prompt, messages);
      // What was sent and what was cut to fit, for the audit entry: counted with the model's
      // tokenizer, or (a first prompt far below its limit) the bound that showed it fits.
      const promptTokens = conversationTokens(prompt, messages);
      const promptData = {
        ...(prompt.exact ? { promptTokens } : { promptTokensAtMost: promptTokens }),
        promptLimitTokens: prompt.limitTokens,
        ...(prompt.cuts.length > 0 && attempt === 1 ? { promptCuts: prompt.cuts } : {}),
      };
      let response: ModelResponse;
      try {
        response = await environment.semaphore.run(() =>
          environment.llm.complete({
            model,
            messages,
            responseSchema,
            temperature: step.temperature,
            timeoutMs,
            signal,
            purpose: { runId: context.run.id, chainId: context.run.chainId, stepId: step.id, attempt, ...(item === undefined ? {} : { item }) },
          }),
        );
      } catch (error) {
        if (signal.aborted) throw error;
        // Only transport faults move on to the next model; anything else (a scripted model
        // with no example, a bug) fails the step with its own code and fix.
        if (!isBatonError(error, "MODEL_TRANSPORT")) throw error;
        // A server's error body can echo the key it was sent: the audit log keeps it redacted.
        const message = redactSecrets(error.message);
        attempts.push({ model, attempt, outcome: "transport_error", rawText: "", issues: [], error: message, ...transportFacts(error.details) });
        event("model.call", { model, attempt, outcome: "transport_error", error: message, code: error.code, ...promptData });
        // The adapter already retried this model's transport faults; go to the next model.
        break;
      }

      const cost = costOf(environment.prices, response.model, response.usage);
      usage.modelCalls += 1;
      usage.inputTokens += response.usage.inputTokens;
      usage.cachedInputTokens += response.usage.cachedInputTokens;
      usage.outputTokens += response.usage.outputTokens;
      usage.costUsd += cost.usd;
      const callData = {
        model: response.model,
        attempt,
        promptVersion,
        inputTokens: response.usage.inputTokens,
        outputTokens: response.usage.outputTokens,
        ...(response.usage.cachedInputTokens > 0 ? { cachedInputTokens: response.usage.cachedInputTokens } : {}),
        costUsd: cost.usd,
        ...promptData,
        ...(cost.priced ? {} : { priceUnknown: true }),
        latencyMs: Math.round(response.latencyMs),
        ...(response.transportAttempts > 1 ? { transportAttempts: response.transportAttempts } : {}),
        ...(response.scripted ? { scripted: true } : {}),
        responseMode: response.responseMode,
        ...(response.responseModeFallbacks === undefined ? {} : { responseModeFallbacks: response.responseModeFallbacks }),
      };

      if (response.refusal !== null) {
        attempts.push({ model, attempt, outcome: "refused", rawText: response.text, issues: [], error: response.refusal });
        event("model.call", { ...callData, outcome: "refused", refusal: response.refusal });
        break; // Asking the same model again rarely changes a refusal; try the next model.
      }

      const judged = judge(step, context, response.text, response.scripted);
      if (judged.kind === "valid") {
        event("model.call", { ...callData, outcome: "valid" });
        return { ok: true, output: judged.value, usage, events, scripted: response.scripted };
      }
      attempts.push({ model, attempt, outcome: judged.kind, rawText: response.text, issues: judged.issues });
      event("model.call", { ...callData, outcome: judged.kind });
      event("model.output_invalid", { model: response.model, attempt, issues: judged.issues, rawText: response.text });
      const reask = cutToTokens(reaskMessage(judged.issues), REASK_TOKENS, createPromptBudget(model, REASK_TOKENS, prompt.count), "re-ask");
      messages = [...messages, { role: "assistant", content: response.text }, { role: "user", content: reask }];
    }
  }

  return { ok: false, error: failureFor(step, models, attempts), usage, events };
}

function transportFacts(details: Readonly<Record<string, unknown>>): Pick<ModelAttempt, "status" | "retryAfterMs"> {
  const status = details["status"];
  const retryAfterMs = details["retryAfterMs"];
  return { status: typeof status === "number" ? status : null, ...(typeof retryAfterMs === "number" ? { retryAfterMs } : {}) };
}

function failureFor(step: LlmStep, models: ReadonlyArray<string>, attempts: ReadonlyArray<ModelAttempt>): BatonError {
  const last = attempts.at(-1);
  const details = { stepId: step.id, models: [...models], attempts: attempts.map((attempt) => ({ ...attempt })) };
  const tried = `${attempts.length} call(s) to ${models.join(", ")}`;
  if (!last || last.outcome === "transport_error") {
    // The transport error already says what to check; add only what it cannot know (fallbacks).
    const cause = last?.error === undefined ? "No call was made. Check OPENAI_BASE_URL, OPENAI_API_KEY and the provider's status." : asSentence(last.error);
    const fallback = models.length === 1 ? " To carry on when this model is down, set BATON_FALLBACK_MODELS (or the step's fallbackModels)." : "";
    return new BatonError("MODEL_TRANSPORT", `Step "${step.id}" got no answer from the model after ${tried}. ${cause}${fallback}`, details);
  }
  if (last.outcome === "refused") {
    return new BatonError(
      "MODEL_REFUSED",
      `The model refused step "${step.id}": "${last.error ?? ""}". Reword the input or the step's prompt, or configure a fallback model.`,
      details,
    );
  }
  return new BatonError(
    "MODEL_OUTPUT_INVALID",
    `Step "${step.id}" got no valid answer after ${tried}. Last problems:\n${listIssues(last.issues)}\nThe raw answers are in the run's audit log (baton show). Loosen the schema, improve the prompt, or add a stronger fallback model.`,
    { ...details, rawText: last.rawText, issues: last.issues },
  );
}

/** `text` as one sentence: trimmed, ending with exactly one full stop (or its own ! or ?). */
export function asSentence(text: string): string {
  const trimmed = text.trim().replace(/\.+$/, "");
  return /[!?]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}
