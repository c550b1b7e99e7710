import type { z } from "zod";
import type { KnownBlock } from "./block-kit.js";
import { fieldBlock } from "./field-blocks.js";
import { OMITTED, readField } from "./field-values.js";
import { errorsByBlock, friendlyMessage, joinMessages } from "./form-errors.js";
import { FIELD_ACTION_ID, type FormPlan, planForm } from "./form-plan.js";
import { parseStateValues, readElement } from "./slack-state.js";

/**
 * Slack forms from zod schemas: input blocks prefilled with a value, and the submitted
 * `view.state.values` read back into a value that the schema itself has checked.
 *
 * One input block per top-level field of an object schema (a non-object schema is one field
 * named `value`); block ids are `${blockIdPrefix}${fieldName}`, action ids `value`. Text, enums,
 * booleans, numbers and lists of strings get their own elements; anything else is JSON text.
 */

export interface FormOptions {
  /** Put before each field name to make its block id. Default: none. */
  blockIdPrefix?: string;
  /**
   * The value only prefills (e.g. a run's suggested input): fields are shaped by the schema
   * alone, and a prefill that is too long or does not fit is left out rather than kept. Read such
   * a form back with `original` undefined. Default false.
   */
  prefillOnly?: boolean;
}

export type FormReading = { ok: true; value: unknown } | { ok: false; errors: Record<string, string> };

/**
 * Input blocks for `schema`, prefilled with `value`. A field whose current value is longer
 * than a Slack text input holds (3000 characters), or beyond the fields a modal can hold, is
 * left out and named in `notEditable`; `readFormValues` keeps its value unchanged.
 *
 * Throws `CHAIN_INVALID` when the schema cannot be described as JSON Schema (dates, bigints, ...).
 */
export function buildFormBlocks(schema: z.ZodType, value: unknown, options: FormOptions = {}): { blocks: KnownBlock[]; notEditable: string[] } {
  const plan = planForm(schema, value, options);
  return { blocks: plan.fields.map(fieldBlock), notEditable: plan.notEditable };
}

/**
 * The value submitted in a form built by `buildFormBlocks(schema, original, options)`, checked
 * with `schema.safeParse` (so it is the schema's output: defaults applied, strings trimmed, ...).
 *
 * `stateValues` is Slack's `view.state.values`, unparsed. Fields the form did not show keep their
 * value from `original`. On failure, `errors` maps block ids to messages for a
 * `response_action: "errors"` answer; problems with the whole value or with fields the form does
 * not show are put on the first field's block.
 */
export function readFormValues(schema: z.ZodType, stateValues: unknown, original: unknown, options: Pick<FormOptions, "blockIdPrefix"> = {}): FormReading {
  const plan = planForm(schema, original, options);
  const state = parseStateValues(stateValues);
  const fallbackBlockId = plan.fields[0]?.blockId ?? `${options.blockIdPrefix ?? ""}${plan.notEditable[0] ?? "value"}`;
  const readingErrors: Record<string, string[]> = {};
  const submitted = new Map<string, unknown>();
  for (const field of plan.fields) {
    const before = plan.shape === "whole" ? original : fieldOf(original, field.spec.name);
    const reading = readField(field, readElement(state, field.blockId, FIELD_ACTION_ID), before);
    if (reading.ok) submitted.set(field.spec.name, reading.value);
    // Until it can be read, the field keeps its old value so the rest is still checked.
    else {
      readingErrors[field.blockId] = [reading.message];
      submitted.set(field.spec.name, before === undefined ? OMITTED : before);
    }
  }
  const candidate = plan.shape === "whole" ? wholeValue(plan, submitted, original) : mergeFields(original, submitted);
  const result = schema.safeParse(candidate, { error: friendlyMessage });
  if (result.success && Object.keys(readingErrors).length === 0) return { ok: true, value: result.data };
  const validationErrors = result.success ? {} : errorsByBlock(result.error.issues, plan, fallbackBlockId);
  const errors: Record<string, string> = {};
  for (const blockId of new Set([...Object.keys(readingErrors), ...Object.keys(validationErrors)])) {
    // A field that could not be read reports only that: its checked value was the old one.
    errors[blockId] = joinMessages(readingErrors[blockId] ?? validationErrors[blockId] ?? []);
  }
  return { ok: false, errors };
}

function fieldOf(value: unknown, name: string): unknown {
  return isPlainObject(value) ? value[name] : undefined;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The original's fields (those the form did not show among them), with the submitted ones over them. */
function mergeFields(original: unknown, submitted: ReadonlyMap<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = isPlainObject(original) ? { ...original } : {};
  for (const [name, value] of submitted) {
    if (value === OMITTED) delete merged[name];
    else merged[name] = value;
  }
  return merged;
}

function wholeValue(plan: FormPlan, submitted: ReadonlyMap<string, unknown>, original: unknown): unknown {
  const field = plan.fields[0];
  if (field === undefined) return original;
  const value = submitted.get(field.spec.name);
  return value === OMITTED ? undefined : value;
}
