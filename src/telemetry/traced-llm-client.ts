import { SpanKind, SpanStatusCode, type Tracer } from "@opentelemetry/api";
import { isBatonError } from "../core/errors.js";
import type { LlmClient, ModelRequest, ModelResponse } from "../core/ports.js";
import type { RunTracer } from "./run-tracer.js";
import { BATON, ERROR_TYPE, GEN_AI } from "./span-attributes.js";

/**
 * The model port with a span per call, under the step that asked, named and attributed as
 * OpenTelemetry's GenAI conventions say: `chat {model}`, kind CLIENT, provider, request and
 * response model, input, cached input and output tokens, finish reasons. Prompts and answers are not recorded:
 * they hold the run's data.
 */
export class TracedLlmClient implements LlmClient {
  readonly name: string;
  readonly #inner: LlmClient;
  readonly #tracer: Tracer;
  readonly #runs: RunTracer;
  readonly #provider: string;

  /** `provider`: `openai`, `azure.ai.openai` or another `gen_ai.provider.name` value. */
  constructor(inner: LlmClient, tracer: Tracer, runs: RunTracer, provider: string) {
    this.name = inner.name;
    this.#inner = inner;
    this.#tracer = tracer;
    this.#runs = runs;
    this.#provider = provider;
  }

  async complete(request: ModelRequest): Promise<ModelResponse> {
    const { runId, chainId, stepId, attempt } = request.purpose;
    const span = this.#tracer.startSpan(
      `chat ${request.model}`,
      {
        kind: SpanKind.CLIENT,
        attributes: {
          [GEN_AI.operationName]: "chat",
          [GEN_AI.system]: this.#provider,
          [GEN_AI.providerName]: this.#provider,
          [GEN_AI.requestModel]: request.model,
          ...(request.temperature === undefined ? {} : { [GEN_AI.requestTemperature]: request.temperature }),
          [BATON.runId]: runId,
          [BATON.chainId]: chainId,
          [BATON.stepId]: stepId,
          [BATON.attempt]: attempt,
        },
      },
      this.#runs.parentOf(runId, stepId),
    );
    try {
      const response = await this.#inner.complete(request);
      span.setAttributes({
        [GEN_AI.responseModel]: response.model,
        [GEN_AI.usageInputTokens]: response.usage.inputTokens,
        [GEN_AI.usageOutputTokens]: response.usage.outputTokens,
        // Servers without a prompt cache report nothing, which reads as 0 here: only a hit is a fact worth sending.
        ...(response.usage.cachedInputTokens > 0 ? { [GEN_AI.usageCacheReadInputTokens]: response.usage.cachedInputTokens } : {}),
        [BATON.responseMode]: response.responseMode,
        ...(response.finishReason === null ? {} : { [GEN_AI.responseFinishReasons]: [response.finishReason] }),
      });
      return response;
    } catch (error) {
      span.setAttribute(ERROR_TYPE, isBatonError(error) ? error.code : error instanceof Error ? error.name : "unknown");
      span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message.slice(0, 200) : String(error) });
      throw error;
    } finally {
      span.end();
    }
  }
}
