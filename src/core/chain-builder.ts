import type { z } from "zod";
import type { ActionStep, ActionStepOptions, Chain, ChainOptions, LlmStep, LlmStepOptions, Step, StepContext } from "./chain.js";
import { BatonError } from "./errors.js";
import { eraseMapStep, type MapStepOptions } from "./map-step-definition.js";

/**
 * The typed builder of the chain definition API (the types are in chain.ts):
 * `defineChain(...).llm(...).action(...).map(...).build()`. Each step added narrows the
 * `Outputs` type the next steps see; ids are checked as they are added.
 */

const STEP_ID = /^[a-z][a-z0-9-]{0,62}$/;

export class ChainBuilder<Input, Outputs extends Record<string, unknown>> {
  readonly #options: ChainOptions<z.ZodType>;
  readonly #steps: Step[];

  constructor(options: ChainOptions<z.ZodType>, steps: Step[]) {
    this.#options = options;
    this.#steps = steps;
  }

  /** A prompt to the model whose JSON answer must match `output`. */
  llm<Id extends string, Schema extends z.ZodType>(
    id: Id,
    options: LlmStepOptions<Input, Outputs, Schema> & { skipIf: (context: StepContext<Input, Outputs>) => boolean },
  ): ChainBuilder<Input, Outputs & { [K in Id]: z.output<Schema> | undefined }>;
  llm<Id extends string, Schema extends z.ZodType>(
    id: Id,
    options: LlmStepOptions<Input, Outputs, Schema>,
  ): ChainBuilder<Input, Outputs & { [K in Id]: z.output<Schema> }>;
  llm<Id extends string, Schema extends z.ZodType>(id: Id, options: LlmStepOptions<Input, Outputs, Schema>): ChainBuilder<Input, Record<string, unknown>> {
    const system = options.system;
    const step: LlmStep = { ...options, kind: "llm", id, system: typeof system === "string" ? () => system : system };
    return this.#add(step);
  }

  /** Plain TypeScript: post somewhere, call an API, run deterministic checks. */
  action<Id extends string, Output>(
    id: Id,
    options: ActionStepOptions<Input, Outputs, Output> & { skipIf: (context: StepContext<Input, Outputs>) => boolean },
  ): ChainBuilder<Input, Outputs & { [K in Id]: Output | undefined }>;
  action<Id extends string, Output>(id: Id, options: ActionStepOptions<Input, Outputs, Output>): ChainBuilder<Input, Outputs & { [K in Id]: Output }>;
  action<Id extends string, Output>(id: Id, options: ActionStepOptions<Input, Outputs, Output>): ChainBuilder<Input, Record<string, unknown>> {
    const step: ActionStep = { ...options, kind: "action", id };
    return this.#add(step);
  }

  /** One prompt per item of a list, each answer durable on its own (see `MapStepOptions`). */
  map<Id extends string, Item, Schema extends z.ZodType>(
    id: Id,
    options: MapStepOptions<Input, Outputs, Item, Schema>,
  ): ChainBuilder<Input, Outputs & { [K in Id]: Array<z.output<Schema>> }>;
  map<Id extends string, Item, Schema extends z.ZodType>(
    id: Id,
    options: MapStepOptions<Input, Outputs, Item, Schema>,
  ): ChainBuilder<Input, Record<string, unknown>> {
    const step = eraseMapStep(id, options);
    return this.#add(step);
  }

  build(): Chain<Input, Outputs> {
    const options = this.#options;
    if (this.#steps.length === 0) {
      throw new BatonError("CHAIN_INVALID", `Chain "${options.id}" has no steps. Add at least one .llm(...) or .action(...) step before .build().`, {
        chainId: options.id,
      });
    }
    return {
      definition: {
        id: options.id,
        title: options.title ?? options.id,
        description: options.description,
        input: options.input,
        steps: [...this.#steps],
        approvers: options.approvers ?? [],
        approvalDeadline: options.approvalDeadline ?? "24h",
        approvalReminders: options.approvalReminders ?? {},
        channel: options.channel,
        schedules: options.schedules ?? [],
        ...(options.outageWait === undefined ? {} : { outageWait: options.outageWait }),
        inputFromText: options.inputFromText,
        replaceShipped: options.replaceShipped === true,
      },
    };
  }

  #add<Next extends Record<string, unknown>>(step: Step): ChainBuilder<Input, Next> {
    const chainId = this.#options.id;
    if (!STEP_ID.test(step.id)) {
      throw new BatonError(
        "CHAIN_INVALID",
        `Step id "${step.id}" in chain "${chainId}" is not valid. Use lower-case letters, digits and dashes, starting with a letter.`,
        {
          chainId,
          stepId: step.id,
        },
      );
    }
    if (this.#steps.some((existing) => existing.id === step.id)) {
      throw new BatonError("CHAIN_INVALID", `Chain "${chainId}" has two steps with id "${step.id}". Give each step its own id.`, { chainId, stepId: step.id });
    }
    return new ChainBuilder<Input, Next>(this.#options, [...this.#steps, step]);
  }
}

const CHAIN_ID = /^[a-z][a-z0-9-]{0,62}$/;

/** Start a chain definition. */
export function defineChain<Schema extends z.ZodType>(options: ChainOptions<Schema>): ChainBuilder<z.output<Schema>, {}> {
  if (!CHAIN_ID.test(options.id)) {
    throw new BatonError("CHAIN_INVALID", `Chain id "${options.id}" is not valid. Use lower-case letters, digits and dashes, starting with a letter.`, {
      chainId: options.id,
    });
  }
  return new ChainBuilder<z.output<Schema>, {}>(options, []);
}
