import { parseBotConfig, type BotConfig } from "../bot-config.js";
import { parseConfig, type Config } from "../config.js";
import type { ChainDefinition } from "../core/chain.js";
import { ChainRegistry } from "../core/chain-registry.js";
import { describeError, isBatonError } from "../core/errors.js";
import type { Logger } from "../core/ports.js";
import { GitHubRepositoryAccess } from "../github/repository-access.js";
import { OpenAiModelCatalog } from "../llm/model-catalog.js";
import { openAiClientFor } from "../runtime/compose.js";
import { loadChains } from "../runtime/load-chains.js";
import { modelServerOf } from "../runtime/model-server.js";
import { SlackWorkspaceProbe } from "../slack/workspace-probe.js";
import { failed, passed, warned, type CheckResult } from "./check-result.js";
import { checkDatabase } from "./database-check.js";
import { checkGitHub } from "./github-checks.js";
import { checkModels, checkStepSchemas, checkStructuredCall } from "./model-checks.js";
import { checkSlack } from "./slack-checks.js";
import { checkWebhooks } from "./webhook-checks.js";

/**
 * `baton doctor`: every check, in order, from the environment alone — so it also reports a
 * configuration that would stop baton from starting. The bot runs `checkDeployment` (the same
 * checks, without the model call) at start-up.
 */

const SCRIPTED_MODEL = "scripted";

export interface ChainLookup {
  has(chainId: string): boolean;
  get(chainId: string): ChainDefinition;
  list(): ChainDefinition[];
}

export interface DeploymentParts {
  config: Config;
  /** Undefined when Slack is not configured (CLI-only use). */
  botConfig: BotConfig | undefined;
  chains: ChainLookup;
  logger: Logger;
}

export interface DeploymentCheckOptions {
  /** One tiny structured call (spends a few tokens). The bot's start-up does not make it. */
  structuredCall: boolean;
  /** Also send every shipped step's schema once. */
  schemas: boolean;
}

/** The model server, Slack, GitHub and the webhooks' destinations. */
export async function checkDeployment(parts: DeploymentParts, options: DeploymentCheckOptions): Promise<CheckResult[]> {
  const { config, botConfig, chains, logger } = parts;
  const results: CheckResult[] = [];
  results.push(...(await checkModelServer(config, chains, options, logger)));
  if (botConfig !== undefined) {
    const probe = new SlackWorkspaceProbe({ token: botConfig.slackBotToken, apiUrl: botConfig.slackApiUrl, logger });
    results.push(...(await checkSlack(probe, botConfig, chains.list())));
  }
  const reader = config.githubToken === undefined ? undefined : new GitHubRepositoryAccess({ token: config.githubToken, apiUrl: config.githubApiUrl });
  results.push(...(await checkGitHub(reader, config.reviewRepositories ?? [])));
  if (botConfig !== undefined) results.push(...checkWebhooks(botConfig, chains, config.reviewChain));
  return results;
}

async function checkModelServer(config: Config, chains: ChainLookup, options: DeploymentCheckOptions, logger: Logger): Promise<CheckResult[]> {
  if (config.model === SCRIPTED_MODEL) {
    return [
      warned(
        "model",
        "model (BATON_MODEL)",
        "scripted: answers come from the chains' examples.json, not a model",
        "Set OPENAI_API_KEY and unset BATON_MODEL (or set it to a real model) before trusting baton with an incident.",
      ),
    ];
  }
  const server = modelServerOf(config);
  if (server === undefined) {
    return [
      failed(
        "model",
        "model server (OPENAI_API_KEY)",
        "none configured: the bot will not start, and the CLI answers from examples",
        "Set OPENAI_API_KEY for OpenAI; OPENAI_BASE_URL alone for a local server (Ollama, vLLM, LM Studio); or AZURE_OPENAI_ENDPOINT, AZURE_OPENAI_API_KEY and OPENAI_API_VERSION for Azure OpenAI.",
      ),
    ];
  }
  const results: CheckResult[] = [];
  if (server.kind === "azure") {
    // Azure's Models API lists base models, not deployments: the structured call checks the deployment.
    results.push(
      warned(
        "model",
        `deployment "${config.model}" on ${server.label} (BATON_MODEL)`,
        "not looked up: Azure OpenAI has no lookup by deployment name",
        "Run `baton doctor` (its structured call reaches the deployment), or check the name under Deployments in the Azure portal.",
      ),
    );
  } else {
    const catalog = new OpenAiModelCatalog({ apiKey: server.apiKey, baseURL: server.baseURL });
    results.push(...(await checkModels(catalog, { model: config.model, fallbackModels: config.fallbackModels, serverLabel: server.label })));
  }
  if (results.some((result) => result.status === "fail") || !(options.structuredCall || options.schemas)) return results;
  const llm = openAiClientFor(server, config, logger, { maxRetries: 1 });
  if (options.structuredCall) results.push(await checkStructuredCall(llm, config.model));
  if (options.schemas) results.push(...(await checkStepSchemas(llm, config.model, chains.list())));
  return results;
}

/** Everything `baton doctor` checks, from the environment. */
export async function runDoctor(
  environment: Readonly<Record<string, string | undefined>>,
  options: DeploymentCheckOptions & { logger: Logger },
): Promise<CheckResult[]> {
  let config: Config;
  try {
    config = parseConfig(environment);
  } catch (error) {
    return [failed("config", "configuration", describeError(error), "Fix the variable named above; docs/configuration.md says what each one takes.")];
  }
  const results: CheckResult[] = [];
  let botConfig: BotConfig | undefined;
  if ((environment["SLACK_BOT_TOKEN"] ?? "").trim() === "") {
    results.push(passed("config", "configuration", "parses"));
    results.push(
      warned(
        "config",
        "Slack (SLACK_BOT_TOKEN)",
        "not set: the bot cannot start; the CLI works without it",
        'Set SLACK_BOT_TOKEN (and SLACK_APP_TOKEN or SLACK_SIGNING_SECRET) to run the Slack bot; see README, "Create the Slack app".',
      ),
    );
  } else {
    try {
      botConfig = parseBotConfig(environment);
      results.push(passed("config", "configuration", "parses (CLI and bot)"));
    } catch (error) {
      results.push(failed("config", "configuration", describeError(error), "Fix the variable named above; docs/configuration.md says what each one takes."));
    }
  }
  let chains: ChainRegistry;
  const userFolders = config.chainDirectories.length === 0 ? "" : `, and ${config.chainDirectories.join(", ")} from BATON_CHAINS_DIR`;
  try {
    const loaded = await loadChains({ shipped: config.shippedChainsDirectory, user: config.chainDirectories }, config.compiledChains);
    chains = new ChainRegistry(loaded.chains, { approvers: [] });
    results.push(passed("config", `chains (shipped${userFolders})`, `${String(chains.ids().length)} loaded: ${chains.ids().join(", ")}`));
  } catch (error) {
    results.push(
      failed(
        "config",
        `chains (shipped${userFolders})`,
        describeError(error),
        isBatonError(error) ? "Fix the chain file or folder named above." : "Set BATON_CHAINS_DIR to the folders holding your chains.",
      ),
    );
    chains = new ChainRegistry([], { approvers: [] });
  }
  results.push(...(await checkDatabase(config.database)));
  results.push(...(await checkDeployment({ config, botConfig, chains, logger: options.logger }, options)));
  return results;
}

/** The bot's start-up: each ✗ is logged at warn with its fix; nothing stops start-up here. */
export function logFailedChecks(results: ReadonlyArray<CheckResult>, logger: Logger): void {
  for (const result of results) {
    if (result.status !== "fail") continue;
    logger.warn(
      { check: result.checked, area: result.area, detail: result.detail, fix: result.fix },
      `✗ ${result.checked}: ${result.detail}. ${result.fix ?? ""}`.trim(),
    );
  }
}
