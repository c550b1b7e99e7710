import { BatonError } from "../core/errors.js";
import type { LlmClient, ModelRequest, ModelResponse } from "../core/ports.js";

/**
 * Example answers by chain id, then step id: what a chain's `examples.json` holds.
 *
 * A step's entry is one example answer, or an array of them: attempt 1 gets the first, attempt
 * 2 the second, and so on round the list (so `[bad, good]` shows a re-ask). LLM step outputs are
 * JSON objects, so an array is always a list of examples, never an answer itself.
 */
export type ScriptedExamples = Readonly<Record<string, Readonly<Record<string, unknown>>>>;

/** Rough token count for an estimate: about four characters a token for English text. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/**
 * The demo model: answers each step with the example written for it, so a chain runs end to
 * end without an API key. Its answers are not checked here; the core validates them exactly as
 * it does a real model's, so a wrong example fails the same way a wrong model would.
 */
export class ScriptedLlmClient implements LlmClient {
  readonly name = "scripted";
  readonly #examples: ScriptedExamples;

  constructor(examples: ScriptedExamples) {
    this.#examples = examples;
  }

  async complete(request: ModelRequest): Promise<ModelResponse> {
    request.signal?.throwIfAborted();
    const example = this.#pickExample(request);
    const text = JSON.stringify(example);
    const promptText = request.messages.map((message) => message.content).join("");
    return {
      model: "scripted",
      text,
      refusal: null,
      finishReason: "stop",
      usage: { inputTokens: estimateTokens(promptText), outputTokens: estimateTokens(text), cachedInputTokens: 0 },
      latencyMs: 0,
      transportAttempts: 1,
      scripted: true,
      responseMode: request.responseSchema.strict ? "json_schema_strict" : "json_schema",
    };
  }

  #pickExample(request: ModelRequest): unknown {
    const { chainId, stepId, attempt } = request.purpose;
    const chainExamples = Object.hasOwn(this.#examples, chainId) ? this.#examples[chainId] : undefined;
    const entry = chainExamples !== undefined && Object.hasOwn(chainExamples, stepId) ? chainExamples[stepId] : undefined;
    const examples: ReadonlyArray<unknown> = Array.isArray(entry) ? entry : entry === undefined ? [] : [entry];
    // Attempts count from 1; anything lower still gets the first example.
    const index = (Math.max(1, Math.trunc(attempt)) - 1) % Math.max(1, examples.length);
    const example = examples[index];
    if (example === undefined) {
      throw new BatonError(
        "MODEL_NOT_CONFIGURED",
        `The scripted demo model has no example answer for step "${stepId}" of chain "${chainId}". ` +
          `Add an example answer for "${stepId}" to the examples.json beside the chain, or set OPENAI_API_KEY to use a real model.`,
        { chainId, stepId, runId: request.purpose.runId },
      );
    }
    return example;
  }
}
