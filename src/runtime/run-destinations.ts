import type { BotConfig } from "../bot-config.js";
import type { ChainDefinition } from "../core/chain.js";
import { BatonError } from "../core/errors.js";

/**
 * Where runs that do not start in Slack (webhooks) show their card and approvals. A run with
 * nowhere to show its approval would wait unseen until it expires, so an enabled webhook must
 * have a destination: `assertWebhooksHaveChannels` refuses start-up otherwise, and `baton doctor`
 * reports each webhook's destination.
 */

export interface RunDestination {
  channel: string;
  /** Which setting chose it, for people: "BATON_SLACK_CHANNEL", "chain incident-response". */
  source: string;
}

export type RunKind = "incident" | "review";

export interface EnabledWebhook {
  path: string;
  /** The variable that turns it on. */
  enabledBy: string;
  runs: RunKind;
}

/** The webhooks the configuration turns on. */
export function enabledWebhooks(botConfig: BotConfig): EnabledWebhook[] {
  const webhooks: EnabledWebhook[] = [];
  if (botConfig.webhookToken !== undefined) {
    for (const path of ["/webhooks/alertmanager", "/webhooks/grafana", "/webhooks/generic"])
      webhooks.push({ path, enabledBy: "BATON_WEBHOOK_TOKEN", runs: "incident" });
  }
  if (botConfig.pagerDutySecrets.length > 0) webhooks.push({ path: "/webhooks/pagerduty", enabledBy: "PAGERDUTY_WEBHOOK_SECRET", runs: "incident" });
  if (botConfig.githubWebhookSecrets.length > 0) webhooks.push({ path: "/webhooks/github", enabledBy: "GITHUB_WEBHOOK_SECRET", runs: "review" });
  if (botConfig.webhookToken !== undefined) webhooks.push({ path: "/webhooks/terraform-plan", enabledBy: "BATON_WEBHOOK_TOKEN", runs: "review" });
  return webhooks;
}

/**
 * An incident run shows in its chain's channel, else BATON_SLACK_CHANNEL, else
 * BATON_INCIDENT_CHANNEL (where its summary goes anyway).
 */
export function incidentRunDestination(botConfig: BotConfig, chain: ChainDefinition | undefined): RunDestination | undefined {
  if (chain?.channel !== undefined) return { channel: chain.channel, source: `chain ${chain.id}` };
  if (botConfig.defaultChannel !== undefined) return { channel: botConfig.defaultChannel, source: "BATON_SLACK_CHANNEL" };
  if (botConfig.incidentChannel !== undefined) return { channel: botConfig.incidentChannel, source: "BATON_INCIDENT_CHANNEL" };
  return undefined;
}

/** A review run (pull request, plan) shows in its chain's channel, else BATON_SLACK_CHANNEL. */
export function reviewRunDestination(botConfig: BotConfig, chain: ChainDefinition | undefined): RunDestination | undefined {
  if (chain?.channel !== undefined) return { channel: chain.channel, source: `chain ${chain.id}` };
  if (botConfig.defaultChannel !== undefined) return { channel: botConfig.defaultChannel, source: "BATON_SLACK_CHANNEL" };
  return undefined;
}

/** The fix for a run kind with nowhere to show, naming the variable to set. */
export function missingDestinationFix(kind: RunKind, chainId: string): string {
  return kind === "incident"
    ? `Set BATON_INCIDENT_CHANNEL (or BATON_SLACK_CHANNEL) to a channel id, or give chain ${chainId} a channel.`
    : `Set BATON_SLACK_CHANNEL to a channel id, or give chain ${chainId} a channel.`;
}

/**
 * Start-up refuses a webhook whose runs would have nowhere to show their approval. The
 * terraform-plan webhook shares BATON_WEBHOOK_TOKEN with the alert webhooks, so it does not stop
 * start-up: its deliveries are refused instead (see `reviewRunDestination`).
 */
export function assertWebhooksHaveChannels(
  botConfig: BotConfig,
  chains: { has(id: string): boolean; get(id: string): ChainDefinition },
  reviewChainId: string,
): void {
  for (const webhook of enabledWebhooks(botConfig)) {
    if (webhook.path === "/webhooks/terraform-plan") continue;
    const chainId = webhook.runs === "incident" ? botConfig.incidentChain : reviewChainId;
    if (!chains.has(chainId)) continue;
    const chain = chains.get(chainId);
    const destination = webhook.runs === "incident" ? incidentRunDestination(botConfig, chain) : reviewRunDestination(botConfig, chain);
    if (destination !== undefined) continue;
    const variable = webhook.runs === "incident" ? "BATON_INCIDENT_CHANNEL" : "BATON_SLACK_CHANNEL";
    throw new BatonError(
      "CONFIG_INVALID",
      `${webhook.enabledBy} turns on ${webhook.path}, but its runs (chain ${chainId}) would have no channel to show their approval in, and would wait unseen until they expire. ${missingDestinationFix(webhook.runs, chainId)} Or unset ${webhook.enabledBy}.`,
      { variable, webhook: webhook.path, chainId },
    );
  }
}
