import type { Notification } from "../core/ports.js";
import { BLOCK_LIMITS, splitIntoSections, truncateText } from "./render/block-limits.js";
import { section } from "./render/blocks.js";
import { escapeMrkdwn } from "./render/mrkdwn.js";
import type { SlackMessage } from "./render/types.js";

/** An action step's notification as a message: its title in bold, then its text, escaped, in sections. */
export function renderNotification(notification: Notification): SlackMessage {
  const title = escapeMrkdwn(notification.title);
  const sections = splitIntoSections(escapeMrkdwn(notification.text)).slice(0, BLOCK_LIMITS.messageBlocks - 1);
  return {
    text: truncateText(`${notification.title}\n${notification.text}`, BLOCK_LIMITS.messageText),
    blocks: [section(`*${title}*`), ...sections.map((text) => section(text))],
  };
}
