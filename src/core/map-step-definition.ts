import { z } from "zod";
import type { CheckProblem, ErasedApprovalPolicy, ErasedContext, MapStep, StepCommon, StepContext } from "./chain.js";
import type { PromptBudget } from "./prompt-budget.js";

/**
 * A map step: one model prompt per item of a list (the chunks of a document, say), with bounded
 * concurrency. Each item's answer is durable as soon as it is valid, so a run that restarts in
 * the middle asks only for the items not yet done. The step's output is the answers, in item
 * order. An item that gets no valid answer (after `itemRetries` more tries) fails the step,
 * naming the item; the items already answered stay recorded.
 */
export interface MapStepOptions<Input, Outputs, Item, Schema extends z.ZodType> extends StepCommon<Input, Outputs, Array<z.output<Schema>>> {
  items: (context: StepContext<Input, Outputs>) => ReadonlyArray<Item>;
  /** Items in flight at once (model calls also queue for BATON_MODEL_CONCURRENCY). Default 4. */
  concurrency?: number;
  /** Names an item in errors and the audit log. Default: "item <n>" (from 1). */
  label?: (item: Item, index: number) => string;
  system: string | ((context: StepContext<Input, Outputs>, item: Item, index: number) => string);
  /** One item's data for the model, fitted to `budget` (see `.llm`'s `user`). */
  user: (context: StepContext<Input, Outputs>, item: Item, index: number, budget: PromptBudget) => string;
  /** Each item's answer must be JSON that this schema accepts. */
  output: Schema;
  /** Deterministic checks of one item's answer, as for `.llm`. */
  check?: (output: z.output<Schema>, context: StepContext<Input, Outputs>, item: Item, index: number) => ReadonlyArray<string | CheckProblem>;
  model?: string;
  temperature?: number;
  maxAttempts?: number;
  fallbackModels?: ReadonlyArray<string>;
  timeoutMs?: number;
  maxOutputTokens?: number;
  /** Further tries of an item whose model call failed outright. Default 1. */
  itemRetries?: number;
}

/** A typed map step's options as the erased step the runner works with (prompts and checks see the item). */
export function eraseMapStep<Input, Outputs, Item, Schema extends z.ZodType>(id: string, options: MapStepOptions<Input, Outputs, Item, Schema>): MapStep {
  const { system, user, check, items, label, concurrency, itemRetries, ...rest } = options;
  type Context = StepContext<Input, Outputs>;
  return {
    ...(rest.description === undefined ? {} : { description: rest.description }),
    ...(rest.skipIf === undefined ? {} : { skipIf: rest.skipIf as (context: ErasedContext) => boolean }),
    ...(rest.approval === undefined ? {} : { approval: rest.approval as ErasedApprovalPolicy }),
    ...(rest.retry === undefined ? {} : { retry: rest.retry }),
    kind: "map",
    id,
    items: (context) => items(context as unknown as Context),
    concurrency: Math.max(1, Math.floor(concurrency ?? 4)),
    itemRetries: Math.max(0, Math.floor(itemRetries ?? 1)),
    label: (item, index) => (label ? label(item as Item, index) : `item ${String(index + 1)}`),
    output: z.array(options.output),
    itemStep: (item, index) => ({
      kind: "llm",
      id,
      system: (context) => (typeof system === "string" ? system : system(context as unknown as Context, item as Item, index)),
      user: (context, budget) => user(context as unknown as Context, item as Item, index, budget),
      output: options.output,
      ...(check === undefined
        ? {}
        : { check: (output: unknown, context: ErasedContext) => check(output as z.output<Schema>, context as unknown as Context, item as Item, index) }),
      ...(rest.model === undefined ? {} : { model: rest.model }),
      ...(rest.temperature === undefined ? {} : { temperature: rest.temperature }),
      ...(rest.maxAttempts === undefined ? {} : { maxAttempts: rest.maxAttempts }),
      ...(rest.fallbackModels === undefined ? {} : { fallbackModels: rest.fallbackModels }),
      ...(rest.timeoutMs === undefined ? {} : { timeoutMs: rest.timeoutMs }),
      ...(rest.maxOutputTokens === undefined ? {} : { maxOutputTokens: rest.maxOutputTokens }),
    }),
  };
}
