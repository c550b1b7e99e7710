import type { types } from "@slack/bolt";

/**
 * Block Kit's limits (Slack refuses a message or view past one with `invalid_blocks`), and the
 * helpers that keep rendered content inside them.
 */
export const BLOCK_LIMITS = {
  messageBlocks: 50,
  viewBlocks: 100,
  sectionText: 3_000,
  sectionFields: 10,
  fieldText: 2_000,
  headerText: 150,
  contextElements: 10,
  buttonText: 75,
  buttonValue: 2_000,
  /** The `text` fallback of a message is cut by Slack at 40,000; notifications show far less. */
  messageText: 3_000,
} as const;

export type Block = types.KnownBlock;

/** Slack's mrkdwn control characters, escaped: untrusted text can neither mention nor link. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** `text` cut to `max` characters, saying so at the end when it was cut. */
export function truncateText(text: string, max: number): string {
  if (text.length <= max) return text;
  const note = ` … (${String(text.length - max + 12)} more characters)`;
  return `${text.slice(0, Math.max(0, max - note.length))}${note}`.slice(0, max);
}

/** Markdown split into pieces of at most `max` characters, on line boundaries where possible. */
export function splitIntoSections(markdown: string, max: number = BLOCK_LIMITS.sectionText): string[] {
  const pieces: string[] = [];
  let current = "";
  for (const line of markdown.split("\n")) {
    let rest = line;
    while (rest.length > max) {
      if (current !== "") pieces.push(current);
      current = "";
      pieces.push(rest.slice(0, max));
      rest = rest.slice(max);
    }
    const candidate = current === "" ? rest : `${current}\n${rest}`;
    if (candidate.length > max) {
      pieces.push(current);
      current = rest;
    } else current = candidate;
  }
  if (current !== "") pieces.push(current);
  return pieces;
}

export function section(markdown: string): Block {
  return { type: "section", text: { type: "mrkdwn", text: truncateText(markdown === "" ? " " : markdown, BLOCK_LIMITS.sectionText) } };
}

export function header(text: string): Block {
  return { type: "header", text: { type: "plain_text", text: truncateText(text, BLOCK_LIMITS.headerText), emoji: true } };
}

export function context(...markdown: string[]): Block {
  return { type: "context", elements: markdown.slice(0, BLOCK_LIMITS.contextElements).map((text) => ({ type: "mrkdwn" as const, text: truncateText(text, BLOCK_LIMITS.sectionText) })) };
}

export const divider: Block = { type: "divider" };

/** At most `max` blocks: the first `max - 1` and a note of how much was left out. */
export function fitBlocks(blocks: ReadonlyArray<Block>, max: number, overflowNotice: (leftOut: number) => string): Block[] {
  if (blocks.length <= max) return [...blocks];
  const kept = blocks.slice(0, max - 1);
  return [...kept, context(overflowNotice(blocks.length - kept.length))];
}

export const SCRIPTED_NOTICE = ":information_source: Answers in this run come from the *scripted demo model* (the chain's example outputs), not a real model.";
