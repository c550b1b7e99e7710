import type { z } from "zod";
import { SLACK_LIMITS } from "./block-kit.js";
import { describeForm, type FieldKind, type FieldSpec, type FormShape } from "./schema-fields.js";

/**
 * Decides which fields a form shows, how, and with what prefill. Building a modal and reading
 * its submission both derive the plan from the same schema and value, so the reader knows
 * exactly which blocks were shown without carrying anything in the view.
 */

/**
 * Blocks a form may use in a modal; the rest of Slack's 100 is left for the notes around it
 * (context line, scripted-model notice, not-editable note).
 */
export const MAX_FORM_FIELDS = SLACK_LIMITS.modalBlocks - 4;

/** The action id of every form element: the block id already names the field. */
export const FIELD_ACTION_ID = "value";

export interface PlannedField {
  spec: FieldSpec;
  /** The kind shown: the schema's, or `json` when the current value does not fit it. */
  kind: FieldKind;
  blockId: string;
  /** The element's prefill: text, number text, the option value, or `"true"` for a checked box. */
  prefill: string | undefined;
}

export interface FormPlan {
  shape: FormShape["type"];
  fields: PlannedField[];
  /** Fields kept as they are because a modal cannot hold them (too long, too many fields). */
  notEditable: string[];
}

export interface PlanOptions {
  blockIdPrefix?: string;
  /**
   * The value only prefills: fields are shaped by the schema alone, and a prefill that does not
   * fit is dropped instead of changing the form. Used where the submission is read back without
   * the value (the run-input modal).
   */
  prefillOnly?: boolean;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/** The plan of the form for `schema` prefilled with `value`. */
export function planForm(schema: z.ZodType, value: unknown, options: PlanOptions = {}): FormPlan {
  const prefix = options.blockIdPrefix ?? "";
  const prefillOnly = options.prefillOnly ?? false;
  const shape = describeForm(schema);
  const entries: Array<{ spec: FieldSpec; value: unknown }> =
    shape.type === "object"
      ? shape.fields.map((spec) => ({ spec, value: isPlainObject(value) ? value[spec.name] : undefined }))
      : [{ spec: shape.field, value }];
  const fields: PlannedField[] = [];
  const notEditable: string[] = [];
  for (const entry of entries) {
    const blockId = `${prefix}${entry.spec.name}`;
    const shown = showField(entry.spec, entry.value, prefillOnly);
    if (shown === undefined || fields.length >= MAX_FORM_FIELDS || blockId.length > SLACK_LIMITS.blockId) {
      notEditable.push(entry.spec.name);
      continue;
    }
    fields.push({ spec: entry.spec, blockId, ...shown });
  }
  return { shape: shape.type, fields, notEditable };
}

/** How a field is shown, or undefined when its current value is too long for a modal. */
function showField(spec: FieldSpec, value: unknown, prefillOnly: boolean): { kind: FieldKind; prefill: string | undefined } | undefined {
  let kind = spec.kind;
  let prefill = prefillFor(kind, value, spec.nullable);
  if (prefill === MISMATCH) {
    if (prefillOnly) return { kind, prefill: undefined };
    // Shown as JSON, the value survives an unchanged submit, and zod explains what is wrong.
    kind = { type: "json" };
    prefill = prefillFor(kind, value, spec.nullable);
  }
  if (prefill === MISMATCH || (prefill !== undefined && prefill.length > SLACK_LIMITS.textInput)) {
    return prefillOnly ? { kind, prefill: undefined } : undefined;
  }
  return { kind, prefill };
}

const MISMATCH = Symbol("mismatch");

function prefillFor(kind: FieldKind, value: unknown, nullable: boolean): string | undefined | typeof MISMATCH {
  if (value === undefined) return undefined;
  if (value === null && (kind.type !== "json" || nullable)) return undefined;
  switch (kind.type) {
    case "text":
      return typeof value === "string" ? value : MISMATCH;
    case "select":
      if (typeof value !== "string") return MISMATCH;
      return kind.values.includes(value) ? value : undefined;
    case "checkbox":
      if (typeof value !== "boolean") return MISMATCH;
      return value ? "true" : undefined;
    case "number":
      return typeof value === "number" && Number.isFinite(value) ? String(value) : MISMATCH;
    case "lines":
      return linesPrefill(value);
    case "json":
      return jsonPrefill(value);
  }
}

// Lines are trimmed and blank ones dropped on submit, so only items that survive that unchanged
// are shown as lines; other lists are shown as JSON.
function linesPrefill(value: unknown): string | undefined | typeof MISMATCH {
  if (!Array.isArray(value)) return MISMATCH;
  const fits = value.every((item) => typeof item === "string" && item.trim() === item && item !== "" && !/[\r\n]/.test(item));
  if (!fits) return MISMATCH;
  return value.length === 0 ? undefined : value.join("\n");
}

function jsonPrefill(value: unknown): string | typeof MISMATCH {
  const pretty = JSON.stringify(value, null, 2);
  if (pretty === undefined) return MISMATCH;
  // Compact JSON when pretty printing alone would push the value past the input's limit.
  return pretty.length <= SLACK_LIMITS.textInput ? pretty : JSON.stringify(value);
}
