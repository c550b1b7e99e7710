import { BatonError } from "../core/errors.js";
import type { LlmClient, ModelMessage, ModelRequest, ModelResponse } from "../core/ports.js";
import { estimateTokens } from "../llm/scripted-client.js";

/**
 * The test kit's model: answers each run from that run's own script (its scenario), so one
 * runtime can test many chains and scenarios side by side, and an answer can change after a
 * change request. Unlike the demo's scripted model, its answers are meant for the run's input,
 * so they are judged as a real model's are: schema, then the step's `check`, re-asked on a
 * problem (`scripted: false` in the response).
 */

/** One step's answers: tried in turn per attempt (round the list), or one per map item. */
export type StepAnswers = { perItem: false; answers: ReadonlyArray<unknown> } | { perItem: true; answers: ReadonlyArray<unknown> };

/** A step's entry in examples.json: one answer, or a list tried attempt by attempt. */
export function answersFromExample(entry: unknown): StepAnswers {
  return { perItem: false, answers: Array.isArray(entry) ? entry : [entry] };
}

/** What the model was asked: a step's prompts, so a test can assert what reached them. */
export interface ModelCall {
  stepId: string;
  /** A map step's item, from 1; null for an LLM step. */
  item: number | null;
  attempt: number;
  messages: ModelMessage[];
}

interface RunScript {
  /** Says where the answers came from, in the error for a step with none. */
  source: string;
  answers: Map<string, StepAnswers>;
  calls: ModelCall[];
}

export class TestModel implements LlmClient {
  readonly name = "scripted";
  readonly #runs = new Map<string, RunScript>();

  /** Answer run `runId` from `answers` (step id → answers); `source` names where they came from. */
  script(runId: string, answers: Readonly<Record<string, StepAnswers>>, source: string): void {
    this.#runs.set(runId, { source, answers: new Map(Object.entries(answers)), calls: [] });
  }

  /** From now on, answer `stepId` of `runId` with `answers` (a change request's re-ask). */
  replace(runId: string, stepId: string, answers: StepAnswers): void {
    this.#runs.get(runId)?.answers.set(stepId, answers);
  }

  /** Forget the run; returns the calls it made. */
  release(runId: string): ModelCall[] {
    const script = this.#runs.get(runId);
    this.#runs.delete(runId);
    return script?.calls ?? [];
  }

  async complete(request: ModelRequest): Promise<ModelResponse> {
    request.signal?.throwIfAborted();
    const { runId, chainId, stepId, attempt, item } = request.purpose;
    const script = this.#runs.get(runId);
    if (script === undefined) {
      throw new BatonError("MODEL_NOT_CONFIGURED", `The test model has no script for run ${runId}; only runs the test kit starts can be answered.`, {
        runId,
        chainId,
      });
    }
    script.calls.push({ stepId, item: item === undefined ? null : item + 1, attempt, messages: request.messages.map((message) => ({ ...message })) });
    const answer = pick(script, chainId, stepId, attempt, item);
    const text = JSON.stringify(answer);
    return {
      model: "scripted",
      text,
      refusal: null,
      finishReason: "stop",
      usage: {
        inputTokens: estimateTokens(request.messages.map((message) => message.content).join("")),
        outputTokens: estimateTokens(text),
        cachedInputTokens: 0,
      },
      latencyMs: 0,
      transportAttempts: 1,
      scripted: false,
      responseMode: request.responseSchema.strict ? "json_schema_strict" : "json_schema",
    };
  }
}

function pick(script: RunScript, chainId: string, stepId: string, attempt: number, item: number | undefined): unknown {
  const step = script.answers.get(stepId);
  if (step?.perItem === true) {
    const answer = item === undefined ? undefined : step.answers[item];
    if (answer === undefined) {
      throw new BatonError(
        "MODEL_NOT_CONFIGURED",
        `Map step "${stepId}" of chain "${chainId}" has ${item === undefined ? "a call that is not for an item" : `an item ${String(item + 1)}`}, but ${script.source} has ${String(step.answers.length)} answer(s) for it. The items come from the run's input and earlier outputs: make ${script.source} answer each item, or capture the case again.`,
        { chainId, stepId, item },
      );
    }
    return answer;
  }
  const answers = step?.answers ?? [];
  const answer = answers[(Math.max(1, Math.trunc(attempt)) - 1) % Math.max(1, answers.length)];
  if (answer === undefined) {
    throw new BatonError(
      "MODEL_NOT_CONFIGURED",
      `There is no answer for step "${stepId}" of chain "${chainId}" in ${script.source}. Add one: a JSON object the step's output schema accepts, under "${stepId}".`,
      { chainId, stepId },
    );
  }
  return answer;
}
