import type { z } from "zod";
import { humanizeKey } from "../../rendering/render-value.js";
import { truncate } from "./block-kit.js";
import type { FormPlan } from "./form-plan.js";

/**
 * zod's issues as the inline errors of a Slack modal: one message per block, saying what is
 * wrong and how to fix it. A chain author's own messages (`.min(20, "describe ...")`) are kept;
 * zod's defaults are replaced by the wording below.
 */

/** Slack shows the error under the field; longer text is cut. */
export const ERROR_MESSAGE_LIMIT = 150;

/** Error map for `schema.safeParse(value, { error: friendlyMessage })`; schema messages win over it. */
export function friendlyMessage(issue: z.core.$ZodRawIssue): string | undefined {
  switch (issue.code) {
    case "invalid_type":
      if (issue.input === undefined) return "Required: fill this in.";
      if (issue.expected === "int") return "Enter a whole number.";
      return `Expected ${issue.expected}, got ${describeType(issue.input)}.`;
    case "too_small":
      return tooSmall(issue.origin, Number(issue.minimum), issue.inclusive !== false, issue.input);
    case "too_big":
      return tooBig(issue.origin, Number(issue.maximum), issue.inclusive !== false, issue.input);
    case "invalid_value":
      if (issue.input === undefined) return "Required: choose one.";
      return `Choose one of: ${issue.values.map((value) => String(value)).join(", ")}.`;
    case "invalid_format":
      return issue.format === "regex" ? "Does not match the expected pattern." : `Not a valid ${issue.format}.`;
    case "not_multiple_of":
      return `Must be a multiple of ${String(issue.divisor)}.`;
    case "unrecognized_keys":
      return `Remove the unknown ${issue.keys.length === 1 ? "key" : "keys"} ${issue.keys.join(", ")}.`;
    case "invalid_union":
      return "Matches none of the allowed shapes; check the field's description.";
    default:
      return undefined;
  }
}

function describeType(input: unknown): string {
  if (input === null) return "null";
  if (Array.isArray(input)) return "a list";
  return typeof input === "object" ? "an object" : typeof input;
}

function lengthOf(input: unknown): number | undefined {
  if (typeof input === "string" || Array.isArray(input)) return input.length;
  return undefined;
}

function tooSmall(origin: string, minimum: number, inclusive: boolean, input: unknown): string | undefined {
  const now = lengthOf(input);
  const current = now === undefined || now === 0 ? "" : ` (now ${now})`;
  switch (origin) {
    case "string":
      return minimum <= 1 ? "Must not be empty." : `Use at least ${minimum} characters${current}.`;
    case "array":
    case "set":
      return `Give at least ${minimum} ${minimum === 1 ? "item" : "items"}${current}.`;
    case "number":
    case "int":
    case "bigint":
      return inclusive ? `Must be at least ${minimum}.` : `Must be more than ${minimum}.`;
    default:
      return undefined;
  }
}

function tooBig(origin: string, maximum: number, inclusive: boolean, input: unknown): string | undefined {
  const now = lengthOf(input);
  const current = now === undefined ? "" : ` (now ${now})`;
  switch (origin) {
    case "string":
      return `Use at most ${maximum} characters${current}; shorten it.`;
    case "array":
    case "set":
      return `Give at most ${maximum} ${maximum === 1 ? "item" : "items"}${current}; remove some.`;
    case "number":
    case "int":
    case "bigint":
      return inclusive ? `Must be at most ${maximum}.` : `Must be less than ${maximum}.`;
    default:
      return undefined;
  }
}

/**
 * Every issue under the block of its top-level field. Issues about the whole value, or about a
 * field the form does not show, go to `fallbackBlockId` so that none is lost.
 */
export function errorsByBlock(issues: ReadonlyArray<z.core.$ZodIssue>, plan: FormPlan, fallbackBlockId: string): Record<string, string[]> {
  const errors: Record<string, string[]> = {};
  const add = (blockId: string, message: string) => {
    errors[blockId] = [...(errors[blockId] ?? []), message];
  };
  for (const issue of issues) {
    const message = capitalize(issue.message);
    const wholeField = plan.shape === "whole" ? plan.fields[0] : undefined;
    if (wholeField !== undefined) {
      add(wholeField.blockId, withPlace(issue.path, message, false));
      continue;
    }
    const [first, ...rest] = issue.path;
    const field = plan.fields.find((candidate) => candidate.spec.name === first);
    if (field !== undefined) {
      add(field.blockId, withPlace(rest, message, field.kind.type === "lines"));
    } else if (first === undefined) {
      add(fallbackBlockId, message);
    } else {
      add(fallbackBlockId, `${humanizeKey(String(first))} (not editable here): ${withPlace(rest, message, false)}`);
    }
  }
  return errors;
}

/** Messages of one block as one line of at most `ERROR_MESSAGE_LIMIT` characters. */
export function joinMessages(messages: ReadonlyArray<string>): string {
  const distinct = [...new Set(messages)];
  const [first = "Invalid value.", ...others] = distinct;
  let text = first;
  let shown = 1;
  for (const message of others) {
    if (text.length + message.length + 1 > ERROR_MESSAGE_LIMIT - 12) break;
    text += ` ${message}`;
    shown += 1;
  }
  const hidden = distinct.length - shown;
  const more = hidden > 0 ? ` (+${hidden} more)` : "";
  return `${truncate(text, ERROR_MESSAGE_LIMIT - more.length)}${more}`;
}

/** `Item 2 › priority: ...` for an issue inside a list or object field. */
function withPlace(path: ReadonlyArray<PropertyKey>, message: string, lines: boolean): string {
  if (path.length === 0) return message;
  const place = path.map((segment) => (typeof segment === "number" ? `${lines ? "line" : "item"} ${segment + 1}` : String(segment))).join(" › ");
  return `${capitalize(place)}: ${message}`;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
