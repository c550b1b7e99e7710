import type { types } from "@slack/bolt";
import type { Mrkdwn } from "../render/mrkdwn.js";

export { escapeMrkdwn, md } from "../render/mrkdwn.js";

/**
 * The Block Kit types the modals use, named once (Bolt re-exports @slack/types as `types`),
 * and the few limits and text helpers every modal needs.
 */

export type KnownBlock = types.KnownBlock;
export type InputBlock = types.InputBlock;
export type ContextBlock = types.ContextBlock;
export type ModalView = types.ModalView;
export type PlainTextElement = types.PlainTextElement;
export type PlainTextOption = types.PlainTextOption;

/** Slack's documented Block Kit limits that the modals must respect. */
export const SLACK_LIMITS = {
  modalTitle: 24,
  modalBlocks: 100,
  privateMetadata: 3000,
  blockId: 255,
  label: 2000,
  hint: 2000,
  textInput: 3000,
  contextText: 3000,
  selectOptions: 100,
  optionText: 75,
  optionValue: 150,
} as const;

/** `text` cut to `limit` characters, ending with an ellipsis when it was cut. */
export function truncate(text: string, limit: number): string {
  if (text.length <= limit) return text;
  return `${text.slice(0, Math.max(0, limit - 1)).trimEnd()}…`;
}

export function plainText(text: string, limit?: number): PlainTextElement {
  return { type: "plain_text", text: limit === undefined ? text : truncate(text, limit), emoji: true };
}

/** A context block of one mrkdwn line (escaped or built: see `render/mrkdwn.ts`), cut to Slack's limit. */
export function contextNote(blockId: string, text: Mrkdwn): ContextBlock {
  return { type: "context", block_id: blockId, elements: [{ type: "mrkdwn", text: truncate(text, SLACK_LIMITS.contextText) }] };
}

/** A modal title: Slack refuses more than 24 characters, so long step names are cut. */
export function modalTitle(text: string): PlainTextElement {
  return plainText(text.trim() === "" ? "baton" : text, SLACK_LIMITS.modalTitle);
}
