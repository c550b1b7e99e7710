import type { Mrkdwn } from "./mrkdwn.js";
import type { Block } from "./types.js";

/**
 * Block Kit's limits, as Slack documents them: past one, Slack refuses the whole message or
 * view (`invalid_blocks`), which in production is a card that never appears.
 */
export const BLOCK_LIMITS = {
  /** Blocks in one message. */
  messageBlocks: 50,
  /** Blocks in a modal or Home tab view. */
  viewBlocks: 100,
  /** A section's `text`, and any mrkdwn or plain_text text object. */
  sectionText: 3_000,
  /** Fields in one section… */
  sectionFields: 10,
  /** …and characters in each field. */
  fieldText: 2_000,
  /** Elements in one context block… */
  contextElements: 10,
  /** …and characters in each of its text elements (a text object's limit). */
  contextElementText: 3_000,
  /** A header block's plain_text. */
  headerText: 150,
  /** A button's label. */
  buttonText: 75,
  /** A button's `value`: baton puts an id there, never data. */
  buttonValue: 2_000,
  /** Elements in one actions block. */
  actionElements: 25,
  /** `action_id` and `block_id`. */
  actionId: 255,
  blockId: 255,
  /** A confirmation dialog: title, text, and its two buttons. */
  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30,
  /** A modal's title (and its submit and close buttons). */
  modalTitle: 24,
  /** A plain_text_input's initial value. */
  plainTextInput: 3_000,
  /**
   * A message's top-level `text` (the notification and screen-reader fallback): Slack asks to
   * keep it within 4,000 characters and truncates past 40,000.
   */
  messageText: 4_000,
  /**
   * Not in Slack's reference, but observed: `chat.postMessage` fails with `msg_blocks_too_long`
   * once the text of all blocks together passes roughly 12,000 characters (slackapi/bolt-js
   * #2509, #2867). Renderers keep a message's blocks under this budget.
   */
  messageBlocksTextBudget: 11_000,
} as const;

const MORE_CHARACTERS = (count: number): string => `… (${count.toLocaleString("en-US")} more characters)`;

/**
 * Where `text` may be cut at or before `limit` without leaving half a character, half an
 * escaped entity (`&am`) or half a Slack token (`<@U12`, `<!date^…`) behind.
 */
function safeCutIndex(text: string, limit: number): number {
  let index = Math.max(0, Math.min(limit, text.length));
  const code = text.charCodeAt(index - 1);
  if (index > 0 && code >= 0xd800 && code <= 0xdbff) index -= 1;
  const head = text.slice(0, index);
  const ampersand = head.lastIndexOf("&");
  if (ampersand >= 0 && index - ampersand < 8 && !head.slice(ampersand).includes(";")) index = ampersand;
  const opening = text.lastIndexOf("<", index - 1);
  if (opening >= 0 && !text.slice(opening, index).includes(">") && index - opening < 500) index = opening;
  return index;
}

/**
 * `text` in at most `max` characters. When it had to be cut, it ends with "…" and how much was
 * left out, so nobody mistakes a cut proposal for the whole of it. Escaped text stays escaped
 * (the cut never splits an entity or a `<…>` token, and the note has no control characters), so
 * `Mrkdwn` in is `Mrkdwn` out.
 */
export function truncateText<Text extends string>(text: Text, max: number): Text {
  if (text.length <= max) return text;
  const longestNote = MORE_CHARACTERS(text.length);
  if (max <= longestNote.length) return `${text.slice(0, safeCutIndex(text, max - 1))}…` as Text;
  const cut = safeCutIndex(text, max - longestNote.length);
  return `${text.slice(0, cut)}${MORE_CHARACTERS(text.length - cut)}` as Text;
}

/** One over-long line as pieces of at most `max`, broken at a space where there is one. */
function splitLongLine(line: string, max: number): string[] {
  const pieces: string[] = [];
  let rest = line;
  while (rest.length > max) {
    const space = rest.lastIndexOf(" ", max);
    let cut = space > max / 2 ? space : safeCutIndex(rest, max);
    if (cut <= 0) cut = max;
    pieces.push(rest.slice(0, cut));
    rest = rest.slice(cut).replace(/^ /, "");
  }
  pieces.push(rest);
  return pieces;
}

/**
 * Markdown as pieces of at most `max` characters each, split between lines (a line longer than
 * `max` alone is broken at a space). Blank pieces are dropped: Slack refuses empty text.
 */
export function splitIntoSections<Text extends string>(markdown: Text, max: number = BLOCK_LIMITS.sectionText): Text[] {
  // Pieces of escaped text between lines or at safe cuts are still escaped text.
  const pieces: Text[] = [];
  let current: string | undefined;
  const flush = (): void => {
    if (current !== undefined && current.trim() !== "") pieces.push(current as Text);
    current = undefined;
  };
  for (const line of markdown.split("\n")) {
    for (const part of splitLongLine(line, max)) {
      if (current === undefined) current = part;
      else if (current.length + 1 + part.length <= max) current = `${current}\n${part}`;
      else {
        flush();
        current = part;
      }
    }
  }
  flush();
  return pieces;
}

/** How many characters of text a block carries (what `msg_blocks_too_long` counts). */
export function blockTextLength(block: Block): number {
  const lengthOf = (value: unknown): number =>
    typeof value === "object" && value !== null && typeof (value as { text?: unknown }).text === "string" ? (value as { text: string }).text.length : 0;
  switch (block.type) {
    case "section":
      return lengthOf(block.text) + (block.fields ?? []).reduce((sum, field) => sum + lengthOf(field), 0);
    case "header":
      return lengthOf(block.text);
    case "context":
      return block.elements.reduce((sum, element) => sum + lengthOf(element), 0);
    default:
      return 0;
  }
}

/** The text of all `blocks` together. */
export function totalTextLength(blocks: ReadonlyArray<Block>): number {
  return blocks.reduce((sum, block) => sum + blockTextLength(block), 0);
}

/**
 * At most `max` blocks (and, when `maxCharacters` is given, at most that much text): the first
 * ones that fit, then a context block saying how many were left out.
 */
export function fitBlocks(
  blocks: ReadonlyArray<Block>,
  max: number,
  overflowNotice: (leftOut: number) => Mrkdwn,
  options: { maxCharacters?: number } = {},
): Block[] {
  const budget = options.maxCharacters ?? Number.POSITIVE_INFINITY;
  if (blocks.length <= max && totalTextLength(blocks) <= budget) return [...blocks];
  if (max <= 0) return [];
  const noticeFor = (leftOut: number): Block => ({
    type: "context",
    elements: [{ type: "mrkdwn", text: truncateText(overflowNotice(leftOut), BLOCK_LIMITS.contextElementText) }],
  });
  // Room for the notice itself, in blocks and in characters.
  const noticeLength = blockTextLength(noticeFor(blocks.length));
  const kept: Block[] = [];
  let used = 0;
  for (const block of blocks) {
    const length = blockTextLength(block);
    if (kept.length >= max - 1 || used + length + noticeLength > budget) break;
    kept.push(block);
    used += length;
  }
  return [...kept, noticeFor(blocks.length - kept.length)];
}

/**
 * `top`, as much of `body` as fits, then `tail`: what must always show (a header, the buttons,
 * the scripted notice) is kept, and the body gives way, within `max` blocks and `maxCharacters`.
 */
export function fitBetween(
  parts: { top: ReadonlyArray<Block>; body: ReadonlyArray<Block>; tail: ReadonlyArray<Block> },
  max: number,
  overflowNotice: (leftOut: number) => Mrkdwn,
  maxCharacters: number = BLOCK_LIMITS.messageBlocksTextBudget,
): Block[] {
  const { top, body, tail } = parts;
  const room = max - top.length - tail.length;
  const characters = maxCharacters - totalTextLength(top) - totalTextLength(tail);
  return [...top, ...fitBlocks(body, room, overflowNotice, { maxCharacters: characters }), ...tail];
}
