import type { Config } from "../config.js";
import type { ChainResources } from "../core/chain.js";
import { ChainRegistry } from "../core/chain-registry.js";
import { contextTokensFor } from "../core/context-budget.js";
import { BatonError } from "../core/errors.js";
import type {
  AlertStore,
  ChainStore,
  ChangeFeed,
  CommandIntentStore,
  Clock,
  LlmClient,
  Logger,
  MessageLedger,
  Notifier,
  PullRequestHost,
} from "../core/ports.js";
import { OctokitPullRequests } from "../github/octokit-pull-requests.js";
import type { RetentionStore } from "../core/retention.js";
import { Runner } from "../core/runner.js";
import { GptTokenCounter } from "../llm/gpt-token-counter.js";
import { OpenAiLlmClient } from "../llm/openai-client.js";
import { type ModelServer, modelServerOf } from "./model-server.js";
import { ScriptedLlmClient } from "../llm/scripted-client.js";
import { openStoreState } from "./open-store-state.js";
import { TimeOrderedIds } from "../system/ids.js";
import { loadChains, type LoadedChains } from "./load-chains.js";
import { ReviewRuns } from "../use-cases/review-runs.js";
import { createOwnerId, isOwnerAlive } from "./process-owner.js";
import { systemClock } from "../system/system-clock.js";
import { startTracing, type Tracing } from "../telemetry/tracing.js";

/** The process's wired-up parts, built from the configuration (the composition root's work). */
export interface Runtime {
  config: Config;
  store: ChainStore;
  /** What adapters posted where (Slack cards), on the same database. */
  ledger: MessageLedger;
  /** Alert deliveries and incidents (webhooks), on the same database. */
  alerts: AlertStore;
  /** Acknowledged Slack requests whose work comes after the ack, on the same database. */
  intents: CommandIntentStore;
  retention: RetentionStore;
  /** Changes other processes make on the same database (PostgreSQL's LISTEN/NOTIFY; silent on SQLite). */
  changes: ChangeFeed;
  /** Pull requests and plans into IaC review runs. */
  reviews: ReviewRuns;
  runner: Runner;
  chains: ChainRegistry;
  clock: Clock;
  loaded: LoadedChains;
  /** True when answers come from the chains' examples, not a real model. */
  scripted: boolean;
  /** Traces over OTLP, when OTEL_EXPORTER_OTLP_* is set; undefined otherwise (nothing is wrapped). */
  tracing: Tracing | undefined;
  close(): Promise<void>;
}

export interface RuntimeOptions {
  /** The CLI falls back to the scripted model without an API key; the bot never does. */
  mode: "cli" | "bot";
  notifier: Notifier;
  logger: Logger;
  /** One-line notices for the person at the terminal. */
  notice?: (text: string) => void;
  /** Tests: a GitHub other than the one GITHUB_TOKEN / GITHUB_API_URL name. */
  pullRequests?: PullRequestHost;
  /** Approvers for chains that name none (the bot's `BATON_APPROVERS`). */
  defaultApprovers?: ReadonlyArray<string>;
  /** Tests: a clock they control. Default: the system's. */
  clock?: Clock;
  /** Lent to chains' action steps (the bot's incident lookups). */
  resources?: ChainResources;
  /** The chains, already loaded (the test kit's one chain); default: loaded from the configured folders. */
  loaded?: LoadedChains;
  /**
   * The model to answer every step, instead of the one the configuration names (the test kit's,
   * which answers each run from its own script). Counts as scripted: no key, no server.
   */
  llm?: LlmClient;
}

export const SCRIPTED_MODEL = "scripted";

interface ModelChoice {
  llm: LlmClient;
  /** The `gen_ai.provider.name` of traces. */
  provider: string;
  model: string;
  fallbackModels: string[];
  scripted: boolean;
}

function chooseModel(config: Config, options: RuntimeOptions, loaded: LoadedChains): ModelChoice {
  const scripted: ModelChoice = {
    llm: new ScriptedLlmClient(loaded.examples),
    provider: SCRIPTED_MODEL,
    model: SCRIPTED_MODEL,
    fallbackModels: [],
    scripted: true,
  };
  if (options.llm !== undefined) return { ...scripted, llm: options.llm };
  if (config.model === SCRIPTED_MODEL) return scripted;
  const server = modelServerOf(config);
  if (server === undefined) {
    if (options.mode === "bot") {
      throw new BatonError(
        "MODEL_NOT_CONFIGURED",
        "No model server is configured, so baton has no model to call. Set OPENAI_API_KEY for OpenAI; OPENAI_BASE_URL for a local server (Ollama, vLLM, LM Studio); AZURE_OPENAI_ENDPOINT, AZURE_OPENAI_API_KEY and OPENAI_API_VERSION for Azure OpenAI; or BATON_MODEL=scripted to run on the chains' example answers for a demo.",
        { variable: "OPENAI_API_KEY" },
      );
    }
    options.notice?.("No OPENAI_API_KEY is set: answering from the chains' example outputs (scripted model). Set OPENAI_API_KEY to use a real model.");
    return scripted;
  }
  return {
    llm: openAiClientFor(server, config, options.logger),
    provider: server.kind === "azure" ? "azure.ai.openai" : "openai",
    model: config.model,
    fallbackModels: config.fallbackModels,
    scripted: false,
  };
}

/** The model adapter for a configured server. */
export function openAiClientFor(server: ModelServer, config: Config, logger: Logger | undefined, overrides: { maxRetries?: number } = {}): OpenAiLlmClient {
  const settings = {
    apiKey: server.apiKey,
    maxRetries: overrides.maxRetries ?? config.modelMaxRetries,
    responseFormat: config.responseFormat,
    ...(logger === undefined ? {} : { logger }),
  };
  if (server.kind === "azure") return new OpenAiLlmClient({ ...settings, azure: server.azure });
  return new OpenAiLlmClient({ ...settings, ...(server.baseURL === undefined ? {} : { baseURL: server.baseURL }) });
}

/** A model with no known context window gets a small default; say so once, with the fix. */
function warnOfUnknownContext(config: Config, choice: ModelChoice, logger: Logger): void {
  if (choice.scripted) return;
  for (const model of [choice.model, ...choice.fallbackModels]) {
    const window = contextTokensFor(config.contextLimits, model);
    if (window.known) continue;
    logger.warn(
      { model, contextTokens: window.tokens, variable: "BATON_MODEL_CONTEXT_TOKENS" },
      `baton does not know model "${model}"'s context window, so its prompts are fitted to ${window.tokens.toLocaleString("en-US")} tokens. Set BATON_MODEL_CONTEXT_TOKENS=${model}=<tokens> to the server's real context length (Ollama: OLLAMA_CONTEXT_LENGTH).`,
    );
  }
}

export async function createRuntime(config: Config, options: RuntimeOptions): Promise<Runtime> {
  const loaded = options.loaded ?? (await loadChains({ shipped: config.shippedChainsDirectory, user: config.chainDirectories }, config.compiledChains));
  const chains = new ChainRegistry(loaded.chains, { approvers: options.defaultApprovers ?? [] });
  const choice = chooseModel(config, options, loaded);
  warnOfUnknownContext(config, choice, options.logger);
  // The database opens last, so a bad chain or a missing key leaves nothing half-written.
  const state = await openStoreState(config.database, { logger: options.logger });
  const store = state.store;
  const tracing = config.tracing === undefined ? undefined : startTracing(config.tracing);
  const githubHost =
    options.pullRequests ??
    (config.githubToken === undefined
      ? undefined
      : new OctokitPullRequests({ token: config.githubToken, ...(config.githubApiUrl === undefined ? {} : { apiUrl: config.githubApiUrl }) }));
  const pullRequests = tracing && githubHost ? tracing.wrapPullRequests(githubHost) : githubHost;
  // The review chain asks for a re-run when a head moved; ReviewRuns needs the runner, so the
  // chain's handle reaches it once both exist.
  let reviews: ReviewRuns | undefined;
  const runner = new Runner({
    store,
    llm: tracing ? tracing.wrapLlm(choice.llm, choice.provider) : choice.llm,
    chains,
    notifier: options.notifier,
    clock: options.clock ?? systemClock,
    ids: new TimeOrderedIds(),
    logger: options.logger,
    owner: createOwnerId(),
    isOwnerAlive,
    defaultModel: choice.model,
    fallbackModels: choice.fallbackModels,
    prices: config.prices,
    tokens: new GptTokenCounter(),
    contextLimits: config.contextLimits,
    modelConcurrency: config.modelConcurrency,
    leaseMs: config.leaseMs,
    resources: {
      // Chains ask whether an incident still fires (incident-response's freshness check).
      incidents: {
        async statusOf(incidentId) {
          const incident = await state.alerts.getIncident(incidentId);
          return incident ? { status: incident.status, resolvedAt: incident.resolvedAt } : undefined;
        },
      },
      ...(pullRequests ? { pullRequests } : {}),
      reviews: {
        reviewPullRequest: (ref, startedBy) => {
          if (!reviews) throw new Error("the runtime is not composed yet");
          return reviews.reviewPullRequest(ref, startedBy);
        },
      },
      ...options.resources,
    },
  });
  const stopTracingRuns = tracing?.attach(runner.events);
  reviews = new ReviewRuns({ runner, chains, host: pullRequests, chainId: config.reviewChain, reviewDrafts: config.reviewDrafts });
  return {
    config,
    store,
    ledger: state.ledger,
    alerts: state.alerts,
    intents: state.intents,
    retention: state.retention,
    changes: state.changes,
    reviews,
    runner,
    chains,
    clock: options.clock ?? systemClock,
    loaded,
    scripted: choice.scripted,
    tracing,
    async close() {
      await runner.close();
      await state.close();
      stopTracingRuns?.();
      await tracing?.shutdown();
    },
  };
}
