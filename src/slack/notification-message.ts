import type { Notification } from "../core/ports.js";
import type { SlackMessage } from "./render/types.js";

const SECTION_LIMIT = 3_000;

/** Slack's mrkdwn control characters, escaped so a step's text cannot mention or link. */
function escapeText(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** An action step's notification as a message: its title in bold, then its text in sections. */
export function renderNotification(notification: Notification): SlackMessage {
  const title = escapeText(notification.title);
  const body = escapeText(notification.text);
  const sections: string[] = [];
  for (let start = 0; start < body.length && sections.length < 40; start += SECTION_LIMIT) sections.push(body.slice(start, start + SECTION_LIMIT));
  return {
    text: `${title}\n${body}`.slice(0, 3_900),
    blocks: [
      { type: "section", text: { type: "mrkdwn", text: `*${title}*`.slice(0, SECTION_LIMIT) } },
      ...sections.map((section) => ({ type: "section" as const, text: { type: "mrkdwn" as const, text: section } })),
    ],
  };
}
