import type { Config } from "../config.js";
import type { AzureSettings } from "../llm/openai-client.js";

/** A key for local servers that check none (Ollama, vLLM, LM Studio): the SDK needs a non-empty one. */
export const UNCHECKED_KEY = "no-key";

/** Which model server the configuration names, decided once for the runtime and `baton doctor`. */
export type ModelServer =
  | { kind: "openai"; apiKey: string; baseURL: string | undefined; label: string }
  | { kind: "azure"; apiKey: string; azure: AzureSettings; label: string }
  /** Named by OPENAI_BASE_URL alone: a server that checks no key. */
  | { kind: "local"; apiKey: string; baseURL: string; label: string };

/** The configured server, or undefined when none is (no key, no URL, no Azure endpoint). */
export function modelServerOf(config: Config): ModelServer | undefined {
  if (config.azure !== undefined) {
    return {
      kind: "azure",
      apiKey: config.azure.apiKey,
      azure: { endpoint: config.azure.endpoint, apiVersion: config.azure.apiVersion },
      label: `Azure OpenAI at ${config.azure.endpoint}`,
    };
  }
  if (config.openAiApiKey === undefined && config.openAiBaseUrl !== undefined) {
    return { kind: "local", apiKey: UNCHECKED_KEY, baseURL: config.openAiBaseUrl, label: config.openAiBaseUrl };
  }
  if (config.openAiApiKey === undefined) return undefined;
  return { kind: "openai", apiKey: config.openAiApiKey, baseURL: config.openAiBaseUrl, label: config.openAiBaseUrl ?? "api.openai.com (OpenAI)" };
}
