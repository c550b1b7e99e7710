import { humanizeKey } from "../../cli/render-value.js";
import { BLOCK_LIMITS, escapeMrkdwn, fitBlocks, section, splitIntoSections, truncateText, type Block } from "./block-limits.js";

/**
 * A step's JSON output rendered for people in Slack, never as raw JSON: top-level keys become
 * bold headings, short values sit side by side as fields, lists become bullets, nested objects
 * are indented. All text is escaped (model output cannot mention or link) and every block stays
 * within Block Kit's limits.
 */

const isPlainObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);
const isScalar = (value: unknown): boolean => value === null || value === undefined || ["string", "number", "boolean"].includes(typeof value);

function scalar(value: unknown): string {
  if (value === null || value === undefined) return "—";
  if (typeof value === "number") return Number.isInteger(value) ? value.toLocaleString("en-US") : String(value);
  if (typeof value === "boolean") return value ? "yes" : "no";
  return escapeMrkdwn(String(value));
}

function inlineObject(value: Record<string, unknown>): string {
  return Object.entries(value)
    .map(([key, item]) => `${escapeMrkdwn(humanizeKey(key))}: ${scalar(item)}`)
    .join(" · ");
}

/** Lines of mrkdwn for any JSON value (bullets for arrays, labels for object keys). */
function lines(value: unknown, indent: string): string[] {
  if (isScalar(value)) return [`${indent}${scalar(value)}`];
  if (Array.isArray(value)) {
    if (value.length === 0) return [`${indent}_(none)_`];
    return value.flatMap((item) => {
      if (isScalar(item)) return [`${indent}• ${scalar(item)}`];
      if (isPlainObject(item) && Object.values(item).every(isScalar)) return [`${indent}• ${inlineObject(item)}`];
      const [first = "", ...rest] = lines(item, `${indent}    `);
      return [`${indent}• ${first.trimStart()}`, ...rest];
    });
  }
  if (isPlainObject(value)) {
    return Object.entries(value).flatMap(([key, item]) => {
      const label = `_${escapeMrkdwn(humanizeKey(key))}_`;
      if (isScalar(item)) return [`${indent}${label}: ${scalar(item)}`];
      return [`${indent}${label}:`, ...lines(item, `${indent}    `)];
    });
  }
  return [`${indent}${escapeMrkdwn(String(value))}`];
}

/** The output as one mrkdwn text (for notifications and `text` fallbacks). */
export function renderOutputText(value: unknown): string {
  return lines(value, "").join("\n");
}

const SHORT_FIELD = 120;

/** The output as blocks, at most `maxBlocks` of them. */
export function renderOutputBlocks(value: unknown, options: { maxBlocks: number }): Block[] {
  const blocks: Block[] = [];
  if (!isPlainObject(value)) {
    for (const piece of splitIntoSections(renderOutputText(value))) blocks.push(section(piece));
    return fitBlocks(blocks, options.maxBlocks, (leftOut) => `… ${String(leftOut)} more blocks of output are not shown here.`);
  }
  let fields: string[] = [];
  const flushFields = (): void => {
    for (let start = 0; start < fields.length; start += BLOCK_LIMITS.sectionFields) {
      blocks.push({ type: "section", fields: fields.slice(start, start + BLOCK_LIMITS.sectionFields).map((text) => ({ type: "mrkdwn" as const, text: truncateText(text, BLOCK_LIMITS.fieldText) })) });
    }
    fields = [];
  };
  for (const [key, item] of Object.entries(value)) {
    const heading = `*${escapeMrkdwn(humanizeKey(key))}*`;
    const short = isScalar(item) && scalar(item).length <= SHORT_FIELD && !scalar(item).includes("\n");
    if (short) {
      fields.push(`${heading}\n${scalar(item)}`);
      continue;
    }
    flushFields();
    const body = lines(item, "").join("\n");
    const pieces = splitIntoSections(`${heading}\n${body}`);
    for (const piece of pieces) blocks.push(section(piece));
  }
  flushFields();
  return fitBlocks(blocks, options.maxBlocks, (leftOut) => `… ${String(leftOut)} more blocks of output are not shown here; \`baton show <run-id>\` prints all of it.`);
}
