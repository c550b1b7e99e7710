import { z } from "zod";
import type { ChainDefinition } from "../core/chain.js";
import { describeError, isBatonError } from "../core/errors.js";
import type { LlmClient, ModelRequest, ModelResponse } from "../core/ports.js";
import { toResponseSchema } from "../core/response-schema.js";
import type { ModelLookup } from "../llm/model-catalog.js";
import { failed, passed, warned, type CheckResult } from "./check-result.js";

/**
 * The model server: reachable, the key accepted, the models known (the Models API, no tokens
 * spent), and — only when asked — one tiny structured call, and one call per shipped step schema.
 */

/** What the model checks ask of the server's Models API (`OpenAiModelCatalog`). */
export interface ModelCatalog {
  lookUp(model: string): Promise<ModelLookup>;
}

export interface ModelSettings {
  model: string;
  fallbackModels: ReadonlyArray<string>;
  /** Where the server is, for the messages: OPENAI_BASE_URL or OpenAI's. */
  serverLabel: string;
}

/** Server reachable and key accepted (one line), then one line per model. */
export async function checkModels(catalog: ModelCatalog, settings: ModelSettings): Promise<CheckResult[]> {
  const models = [settings.model, ...settings.fallbackModels];
  const lookups = await Promise.all(models.map(async (model) => ({ model, lookup: await catalog.lookUp(model) })));
  const server = `model server ${settings.serverLabel}`;
  const unreachable = lookups.find(({ lookup }) => lookup.kind === "unreachable");
  if (unreachable?.lookup.kind === "unreachable") {
    return [
      failed(
        "model",
        server,
        `no answer from GET /models/${unreachable.model}: ${unreachable.lookup.message}`,
        "Check OPENAI_BASE_URL (it ends in /v1 for most servers) and that the server is running and reachable from here.",
      ),
    ];
  }
  const refused = lookups.find(({ lookup }) => lookup.kind === "key_refused");
  if (refused?.lookup.kind === "key_refused") {
    return [
      failed(
        "model",
        server,
        `the key was refused (HTTP ${String(refused.lookup.status)}): ${refused.lookup.message}`,
        "Set OPENAI_API_KEY to a valid key for this server (a new one from the provider's API keys page if it was revoked).",
      ),
    ];
  }
  const results = [passed("model", server, "reachable; the key is accepted")];
  for (const { model, lookup } of lookups) {
    const variable = model === settings.model ? "BATON_MODEL" : "BATON_FALLBACK_MODELS";
    if (lookup.kind === "found") results.push(passed("model", `model ${model} (${variable})`, "the server has it"));
    else if (lookup.kind === "not_found")
      results.push(
        failed(
          "model",
          `model ${model} (${variable})`,
          `the server does not know it: ${lookup.message}`,
          `Set ${variable} to a model the server lists (GET /models), or give this key access to ${model}.`,
        ),
      );
  }
  return results;
}

const DOCTOR_ANSWER = z.object({ status: z.enum(["ok"]) });

/** One tiny structured call: does the server answer JSON in some response mode, and which. */
export async function checkStructuredCall(llm: LlmClient, model: string): Promise<CheckResult> {
  const checked = `structured call to ${model}`;
  const responseSchema = toResponseSchema("baton_doctor", DOCTOR_ANSWER);
  try {
    const response = await llm.complete(request(model, responseSchema, "doctor", 'Reply with the JSON object {"status": "ok"} and nothing else.'));
    if (response.refusal !== null)
      return failed("model", checked, `the model refused: ${response.refusal}`, "Pick another BATON_MODEL; this one refuses a plain request.");
    const parsed = DOCTOR_ANSWER.safeParse(parseLooseJson(response.text));
    if (!parsed.success) {
      return warned(
        "model",
        checked,
        `answered in mode ${response.responseMode}, but not with the JSON asked for: ${response.text.slice(0, 120)}`,
        "Runs still work through the repair loop; a model that follows instructions better needs fewer attempts.",
      );
    }
    return passed("model", checked, `answered valid JSON; response mode ${response.responseMode}${modeNote(response)}`);
  } catch (error) {
    return failed(
      "model",
      checked,
      describeError(error),
      isBatonError(error) ? "Follow the message above; then run baton doctor again." : "Check the server's logs; this is not an error baton knows.",
    );
  }
}

/** `--schemas`: every LLM and map step's output schema, sent once each. */
export async function checkStepSchemas(llm: LlmClient, model: string, chains: ReadonlyArray<ChainDefinition>): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const chain of chains) {
    for (const step of chain.steps) {
      if (step.kind === "action") continue;
      const output = step.kind === "llm" ? step.output : step.itemStep(undefined, 0).output;
      const checked = `schema of ${chain.id} › ${step.id}`;
      try {
        const responseSchema = toResponseSchema(step.id, output);
        const response = await llm.complete(
          request(model, responseSchema, chain.id, "Answer with one JSON value that fits the schema; any plausible values will do."),
        );
        results.push(passed("model", checked, `accepted; response mode ${response.responseMode}${modeNote(response)}`));
      } catch (error) {
        results.push(
          failed(
            "model",
            checked,
            describeError(error),
            `Runs of ${chain.id} would fail at ${step.id}. Set BATON_RESPONSE_FORMAT=json_object if the server cannot take JSON Schema, or fix the step's output schema.`,
          ),
        );
      }
    }
  }
  return results;
}

function request(model: string, responseSchema: ModelRequest["responseSchema"], chainId: string, user: string): ModelRequest {
  return {
    model,
    messages: [
      { role: "system", content: "You are checking a connection. Answer with JSON only." },
      { role: "user", content: user },
    ],
    responseSchema,
    temperature: 0,
    timeoutMs: 60_000,
    signal: undefined,
    purpose: { runId: "doctor", chainId, stepId: responseSchema.name, attempt: 1 },
  };
}

function modeNote(response: ModelResponse): string {
  return response.responseMode === "json_schema_strict"
    ? " (strict structured outputs)"
    : " (the server does not take strict structured outputs; baton checks every answer itself)";
}

/** The answer's JSON, also when a server wraps it in prose or a code fence (prompt-only mode). */
function parseLooseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    const start = text.indexOf("{");
    const end = text.lastIndexOf("}");
    if (start < 0 || end <= start) return undefined;
    try {
      return JSON.parse(text.slice(start, end + 1)) as unknown;
    } catch {
      return undefined;
    }
  }
}
