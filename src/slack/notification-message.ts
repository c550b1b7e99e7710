import type { Notification } from "../core/ports.js";
import { BLOCK_LIMITS, splitIntoSections, truncateText } from "./render/block-limits.js";
import { section } from "./render/blocks.js";
import { escapeMrkdwn, isSlackId, joinMrkdwn, md, mention } from "./render/mrkdwn.js";
import type { SlackMessage } from "./render/types.js";

/**
 * An action step's notification as a message: its title in bold, then its text, escaped, in
 * sections. The title and text come from alerts and models, so `text` (what notifications show)
 * is escaped too; the only mentions are the configured ids in `notification.mentions`.
 */
export function renderNotification(notification: Notification): SlackMessage {
  const title = escapeMrkdwn(notification.title);
  // Slack refuses a message whose blocks hold more than about 12,000 characters in all.
  const sections = splitIntoSections(escapeMrkdwn(truncateText(notification.text, 8_000))).slice(0, BLOCK_LIMITS.messageBlocks - 1);
  const mentioned = joinMrkdwn((notification.mentions ?? []).filter(isSlackId).map(mention), " ");
  return {
    text: truncateText(md`${title}\n${escapeMrkdwn(notification.text)}`, BLOCK_LIMITS.messageText),
    blocks: [
      section(md`${mentioned === "" ? md`` : md`${mentioned} `}*${title}*`),
      ...sections.slice(0, BLOCK_LIMITS.messageBlocks - 1).map((text) => section(text)),
    ],
  };
}
