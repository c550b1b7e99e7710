import type { BotConfig } from "../bot-config.js";
import type { ChainDefinition } from "../core/chain.js";
import { enabledWebhooks, incidentRunDestination, missingDestinationFix, reviewRunDestination } from "../runtime/run-destinations.js";
import { failed, passed, warned, type CheckResult } from "./check-result.js";

/** For each enabled webhook: where its runs (and their approvals) will be shown. */
export function checkWebhooks(
  botConfig: BotConfig,
  chains: { has(id: string): boolean; get(id: string): ChainDefinition },
  reviewChainId: string,
): CheckResult[] {
  const webhooks = enabledWebhooks(botConfig);
  if (webhooks.length === 0)
    return [
      warned(
        "webhooks",
        "webhooks",
        "none enabled (BATON_WEBHOOK_TOKEN, PAGERDUTY_WEBHOOK_SECRET, GITHUB_WEBHOOK_SECRET are unset)",
        "Set them to start runs from alerts and pull requests; see docs/webhooks.md.",
      ),
    ];
  return webhooks.map((webhook) => {
    const checked = `webhook ${webhook.path} (${webhook.enabledBy})`;
    const chainId = webhook.runs === "incident" ? botConfig.incidentChain : reviewChainId;
    if (!chains.has(chainId)) {
      const variable = webhook.runs === "incident" ? "BATON_INCIDENT_CHAIN" : "BATON_REVIEW_CHAIN";
      return failed(
        "webhooks",
        checked,
        `its chain ${chainId} is not loaded, so deliveries start nothing`,
        `Set ${variable} to a chain in BATON_CHAINS_DIR, or add chain ${chainId}.`,
      );
    }
    const chain = chains.get(chainId);
    const destination = webhook.runs === "incident" ? incidentRunDestination(botConfig, chain) : reviewRunDestination(botConfig, chain);
    if (destination === undefined)
      return failed("webhooks", checked, `runs of ${chainId} would have no channel to show their approval in`, missingDestinationFix(webhook.runs, chainId));
    return passed("webhooks", checked, `runs of ${chainId} are shown in ${destination.channel} (${destination.source})`);
  });
}
