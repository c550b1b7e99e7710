import { humanizeKey } from "../../rendering/render-value.js";
import { BLOCK_LIMITS, fitBlocks, splitIntoSections } from "./block-limits.js";
import { fieldsSection, section } from "./blocks.js";
import { escapeMrkdwn, joinMrkdwn, md, mrkdwnLines, trimMrkdwnStart, type Mrkdwn } from "./mrkdwn.js";
import type { Block } from "./types.js";

/**
 * A step's JSON output rendered for people in Slack, never as raw JSON: top-level keys become
 * bold headings, short values sit side by side as fields, lists become bullets, lists of flat
 * objects one line per item, nested objects are indented. All text from the output is escaped,
 * and the result stays within Block Kit's limits.
 */

export interface OutputBlocksOptions {
  /** At most this many blocks, the overflow notice included. */
  maxBlocks: number;
  /** At most this much text in all blocks together (default: a message's safe budget, less room for the card around it). */
  maxCharacters?: number;
  /** Named in the overflow notice, so people know which `baton show` to run. */
  runId?: string;
}

/** What an output may use of a message's text budget by default; the card around it needs the rest. */
export const OUTPUT_TEXT_BUDGET = 8_000;

/** Past this depth nested values are summarised: indentation stops being readable. */
const MAX_DEPTH = 6;
/** Values up to this long (one line) are shown as fields, side by side. */
const SHORT_FIELD = 150;
const INDENT = md`    `;

const isPlainObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);
const isScalar = (value: unknown): boolean => value === null || value === undefined || ["string", "number", "boolean", "bigint"].includes(typeof value);
const isFlatObject = (value: unknown): value is Record<string, unknown> => isPlainObject(value) && Object.values(value).every(isScalar);

/** A scalar as escaped mrkdwn; integers get thousands separators, as in the terminal. */
function scalar(value: unknown): Mrkdwn {
  if (value === null || value === undefined) return md`—`;
  if (typeof value === "boolean") return value ? md`yes` : md`no`;
  if (typeof value === "number") return escapeMrkdwn(Number.isInteger(value) ? value.toLocaleString("en-US") : String(value));
  if (typeof value === "string") return value === "" ? md`_(empty)_` : escapeMrkdwn(value);
  return escapeMrkdwn(String(value));
}

const label = (key: string): Mrkdwn => escapeMrkdwn(humanizeKey(key));

/** A flat object on one line: `Name: x · Cost: 3`. */
function inlineObject(value: Record<string, unknown>): Mrkdwn {
  const entries = Object.entries(value);
  if (entries.length === 0) return md`_(empty)_`;
  return joinMrkdwn(
    entries.map(([key, item]) => md`${label(key)}: ${scalar(item)}`),
    " · ",
  );
}

/** A multi-line string under a prefix: the continuation lines indented to match. */
function prefixed(prefix: Mrkdwn, text: Mrkdwn, indent: Mrkdwn): Mrkdwn[] {
  const [first = md``, ...rest] = mrkdwnLines(text);
  return [md`${prefix}${first}`, ...rest.map((line) => md`${indent}${line}`)];
}

/** Lines of mrkdwn for any JSON value: bullets for arrays, labels for object keys. */
function lines(value: unknown, indent: Mrkdwn, depth: number): Mrkdwn[] {
  if (isScalar(value)) return prefixed(indent, scalar(value), indent);
  if (depth >= MAX_DEPTH) return [md`${indent}_(nested deeper than ${MAX_DEPTH} levels; \`baton show\` prints it all)_`];
  if (Array.isArray(value)) {
    if (value.length === 0) return [md`${indent}_(none)_`];
    return value.flatMap((item) => {
      if (isScalar(item)) return prefixed(md`${indent}• `, scalar(item), md`${indent}${INDENT}`);
      if (isFlatObject(item)) return [md`${indent}• ${inlineObject(item)}`];
      const [first = md``, ...rest] = lines(item, md`${indent}${INDENT}`, depth + 1);
      return [md`${indent}• ${trimMrkdwnStart(first)}`, ...rest];
    });
  }
  if (isPlainObject(value)) {
    const entries = Object.entries(value);
    if (entries.length === 0) return [md`${indent}_(empty)_`];
    return entries.flatMap(([key, item]) => {
      if (isScalar(item)) return prefixed(md`${indent}_${label(key)}:_ `, scalar(item), md`${indent}${INDENT}`);
      return [md`${indent}_${label(key)}:_`, ...lines(item, md`${indent}${INDENT}`, depth + 1)];
    });
  }
  return [md`${indent}${escapeMrkdwn(String(value))}`];
}

/** The output as one mrkdwn text, escaped (for `text` fallbacks and notifications). */
export function renderOutputText(value: unknown): Mrkdwn {
  if (!isPlainObject(value)) return joinMrkdwn(lines(value, md``, 0), "\n");
  return joinMrkdwn(
    Object.entries(value).flatMap(([key, item]) =>
      isScalar(item) ? prefixed(md`*${label(key)}:* `, scalar(item), INDENT) : [md`*${label(key)}:*`, ...lines(item, INDENT, 1)],
    ),
    "\n",
  );
}

/** Whether a top-level value is short enough to sit in a field beside others. */
function isShortScalar(value: unknown): boolean {
  if (!isScalar(value)) return false;
  const text = scalar(value);
  return text.length <= SHORT_FIELD && !text.includes("\n");
}

/** The output as blocks, at most `options.maxBlocks` of them and within the text budget. */
export function renderOutputBlocks(value: unknown, options: OutputBlocksOptions): Block[] {
  const blocks: Block[] = [];
  if (!isPlainObject(value)) {
    for (const piece of splitIntoSections(joinMrkdwn(lines(value, md``, 0), "\n"))) blocks.push(section(piece));
  } else {
    let fields: Mrkdwn[] = [];
    const flushFields = (): void => {
      for (let start = 0; start < fields.length; start += BLOCK_LIMITS.sectionFields)
        blocks.push(fieldsSection(fields.slice(start, start + BLOCK_LIMITS.sectionFields)));
      fields = [];
    };
    for (const [key, item] of Object.entries(value)) {
      const heading = md`*${label(key)}*`;
      if (isShortScalar(item)) {
        fields.push(md`${heading}\n${scalar(item)}`);
        continue;
      }
      flushFields();
      const body = isScalar(item) ? scalar(item) : joinMrkdwn(lines(item, md``, 1), "\n");
      for (const piece of splitIntoSections(md`${heading}\n${body}`)) blocks.push(section(piece));
    }
    flushFields();
  }
  if (blocks.length === 0) blocks.push(section(md`_(no output)_`));
  const show = options.runId === undefined ? md`\`baton show &lt;run-id&gt;\`` : md`\`baton show ${escapeMrkdwn(options.runId)}\``;
  return fitBlocks(
    blocks,
    options.maxBlocks,
    (leftOut) => md`… ${leftOut} more block${leftOut === 1 ? md`` : md`s`} of output not shown here — see ${show} for the whole output.`,
    {
      maxCharacters: options.maxCharacters ?? OUTPUT_TEXT_BUDGET,
    },
  );
}
