import { humanizeKey } from "../../cli/render-value.js";
import { BLOCK_LIMITS, fitBlocks, splitIntoSections } from "./block-limits.js";
import { fieldsSection, section } from "./blocks.js";
import { escapeMrkdwn } from "./mrkdwn.js";
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
const INDENT = "    ";

const isPlainObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);
const isScalar = (value: unknown): boolean => value === null || value === undefined || ["string", "number", "boolean", "bigint"].includes(typeof value);
const isFlatObject = (value: unknown): value is Record<string, unknown> => isPlainObject(value) && Object.values(value).every(isScalar);

/** A scalar as escaped mrkdwn; integers get thousands separators, as in the terminal. */
function scalar(value: unknown): string {
  if (value === null || value === undefined) return "—";
  if (typeof value === "boolean") return value ? "yes" : "no";
  if (typeof value === "number") return Number.isInteger(value) ? value.toLocaleString("en-US") : String(value);
  if (typeof value === "string") return value === "" ? "_(empty)_" : escapeMrkdwn(value);
  return escapeMrkdwn(String(value));
}

const label = (key: string): string => escapeMrkdwn(humanizeKey(key));

/** A flat object on one line: `Name: x · Cost: 3`. */
function inlineObject(value: Record<string, unknown>): string {
  const entries = Object.entries(value);
  if (entries.length === 0) return "_(empty)_";
  return entries.map(([key, item]) => `${label(key)}: ${scalar(item)}`).join(" · ");
}

/** A multi-line string under a prefix: the continuation lines indented to match. */
function prefixed(prefix: string, text: string, indent: string): string[] {
  const [first = "", ...rest] = text.split("\n");
  return [`${prefix}${first}`, ...rest.map((line) => `${indent}${line}`)];
}

/** Lines of mrkdwn for any JSON value: bullets for arrays, labels for object keys. */
function lines(value: unknown, indent: string, depth: number): string[] {
  if (isScalar(value)) return prefixed(indent, scalar(value), indent);
  if (depth >= MAX_DEPTH) return [`${indent}_(nested deeper than ${String(MAX_DEPTH)} levels; \`baton show\` prints it all)_`];
  if (Array.isArray(value)) {
    if (value.length === 0) return [`${indent}_(none)_`];
    return value.flatMap((item) => {
      if (isScalar(item)) return prefixed(`${indent}• `, scalar(item), `${indent}${INDENT}`);
      if (isFlatObject(item)) return [`${indent}• ${inlineObject(item)}`];
      const [first = "", ...rest] = lines(item, `${indent}${INDENT}`, depth + 1);
      return [`${indent}• ${first.trimStart()}`, ...rest];
    });
  }
  if (isPlainObject(value)) {
    const entries = Object.entries(value);
    if (entries.length === 0) return [`${indent}_(empty)_`];
    return entries.flatMap(([key, item]) => {
      if (isScalar(item)) return prefixed(`${indent}_${label(key)}:_ `, scalar(item), `${indent}${INDENT}`);
      return [`${indent}_${label(key)}:_`, ...lines(item, `${indent}${INDENT}`, depth + 1)];
    });
  }
  return [`${indent}${escapeMrkdwn(String(value))}`];
}

/** The output as one mrkdwn text, escaped (for `text` fallbacks and notifications). */
export function renderOutputText(value: unknown): string {
  if (!isPlainObject(value)) return lines(value, "", 0).join("\n");
  return Object.entries(value)
    .flatMap(([key, item]) => (isScalar(item) ? prefixed(`*${label(key)}:* `, scalar(item), INDENT) : [`*${label(key)}:*`, ...lines(item, INDENT, 1)]))
    .join("\n");
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
    for (const piece of splitIntoSections(lines(value, "", 0).join("\n"))) blocks.push(section(piece));
  } else {
    let fields: string[] = [];
    const flushFields = (): void => {
      for (let start = 0; start < fields.length; start += BLOCK_LIMITS.sectionFields) blocks.push(fieldsSection(fields.slice(start, start + BLOCK_LIMITS.sectionFields)));
      fields = [];
    };
    for (const [key, item] of Object.entries(value)) {
      const heading = `*${label(key)}*`;
      if (isShortScalar(item)) {
        fields.push(`${heading}\n${scalar(item)}`);
        continue;
      }
      flushFields();
      const body = isScalar(item) ? scalar(item) : lines(item, "", 1).join("\n");
      for (const piece of splitIntoSections(`${heading}\n${body}`)) blocks.push(section(piece));
    }
    flushFields();
  }
  if (blocks.length === 0) blocks.push(section("_(no output)_"));
  const show = options.runId === undefined ? "`baton show <run-id>`" : `\`baton show ${escapeMrkdwn(options.runId)}\``;
  return fitBlocks(blocks, options.maxBlocks, (leftOut) => `… ${String(leftOut)} more block${leftOut === 1 ? "" : "s"} of output not shown here — see ${show} for the whole output.`, {
    maxCharacters: options.maxCharacters ?? OUTPUT_TEXT_BUDGET,
  });
}
