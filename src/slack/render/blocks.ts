import { BLOCK_LIMITS, truncateText } from "./block-limits.js";
import { md, type Mrkdwn } from "./mrkdwn.js";
import type { Block } from "./types.js";

/**
 * Block builders that cannot break a limit: every text is cut to what its place allows and never
 * left empty (Slack refuses empty text objects). Callers split long content before; cutting here
 * is the last guard, not the plan. Every mrkdwn text is `Mrkdwn` (see `mrkdwn.ts`): escaped, or
 * built by baton.
 */

const nonEmpty = <Text extends string>(text: Text, placeholder: Text): Text => (text.trim() === "" ? placeholder : text);

/** A section of mrkdwn. */
export function section(markdown: Mrkdwn): Block {
  return { type: "section", text: { type: "mrkdwn", text: truncateText(nonEmpty(markdown, md`—`), BLOCK_LIMITS.sectionText) } };
}

/** A section of side-by-side mrkdwn fields (the caller passes at most ten). */
export function fieldsSection(fields: ReadonlyArray<Mrkdwn>): Block {
  return {
    type: "section",
    fields: fields
      .slice(0, BLOCK_LIMITS.sectionFields)
      .map((text) => ({ type: "mrkdwn" as const, text: truncateText(nonEmpty(text, md`—`), BLOCK_LIMITS.fieldText) })),
  };
}

/**
 * A header: plain_text, which Slack does not parse for mentions or links (Block Kit "Text
 * object": only `mrkdwn` accepts formatting markup), so it takes the text as it is.
 */
export function header(text: string): Block {
  return {
    type: "header",
    text: { type: "plain_text", text: truncateText(nonEmpty(text.replace(/\s+/g, " "), "baton"), BLOCK_LIMITS.headerText), emoji: true },
  };
}

/** A context line (small grey text), one element per argument. */
export function context(...markdown: Mrkdwn[]): Block {
  return {
    type: "context",
    elements: markdown
      .slice(0, BLOCK_LIMITS.contextElements)
      .map((text) => ({ type: "mrkdwn" as const, text: truncateText(nonEmpty(text, md`—`), BLOCK_LIMITS.contextElementText) })),
  };
}

export const divider: Block = { type: "divider" };

/** Said on every message of a run that uses the scripted demo model, so nobody acts on it. */
export const SCRIPTED_NOTICE = md`:information_source: *Demo:* these outputs come from baton's *scripted demo model* (canned example answers), not a real model.`;

export function scriptedNotice(): Block {
  return context(SCRIPTED_NOTICE);
}
