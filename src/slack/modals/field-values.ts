import { describeError } from "../../core/errors.js";
import type { PlannedField } from "./form-plan.js";
import { type ElementState, textOf } from "./slack-state.js";

/**
 * Turns one element's submitted state back into the field's value: number text into a number,
 * lines into a list, JSON text into data. A blank field becomes whatever the schema takes for
 * "nothing": left out when optional, null when nullable, otherwise "" / [] / false.
 */

/** The field is left out of the value. */
export const OMITTED = Symbol("omitted");

export type FieldReading = { ok: true; value: unknown } | { ok: false; message: string };

const NUMBER_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** The value of `field` from its element's state; `original` is the field's value before the edit. */
export function readField(field: PlannedField, element: ElementState | undefined, original: unknown): FieldReading {
  const kind = field.kind;
  switch (kind.type) {
    case "text": {
      const text = textOf(element);
      return { ok: true, value: text ?? blankValue(field, original) };
    }
    case "select": {
      const selected = element?.selected_option?.value;
      return { ok: true, value: selected ?? blankValue(field, original) };
    }
    case "checkbox": {
      const checked = (element?.selected_options ?? []).some((option) => option.value === "true");
      return { ok: true, value: checked ? true : blankValue(field, original) };
    }
    case "number": {
      const text = textOf(element)?.trim();
      if (text === undefined) return { ok: true, value: blankValue(field, original) };
      if (!NUMBER_TEXT.test(text)) {
        const example = kind.integer ? "a whole number such as 42" : "a number such as 42 or 3.5";
        return { ok: false, message: `"${shorten(text)}" is not a number: enter ${example}.` };
      }
      return { ok: true, value: Number(text) };
    }
    case "lines": {
      const lines = (textOf(element) ?? "")
        .split(/\r?\n/)
        .map((line) => line.trim())
        .filter((line) => line !== "");
      return { ok: true, value: lines.length > 0 ? lines : blankValue(field, original) };
    }
    case "json": {
      const text = textOf(element);
      if (text === undefined) return { ok: true, value: blankValue(field, original) };
      try {
        return { ok: true, value: JSON.parse(text) as unknown };
      } catch (error) {
        return { ok: false, message: `Not valid JSON (${describeError(error)}). Check quotes, commas and brackets.` };
      }
    }
  }
}

function shorten(text: string): string {
  return text.length <= 20 ? text : `${text.slice(0, 19)}…`;
}

/** What a blank field means, given the schema and what the field held before. */
function blankValue(field: PlannedField, original: unknown): unknown {
  const { spec, kind } = field;
  if (original === null && spec.nullable) return null;
  const blank = kind.type === "text" ? "" : kind.type === "lines" ? [] : kind.type === "checkbox" ? false : OMITTED;
  // A value that was blank before stays exactly as it was ("" stays "", [] stays []).
  if (original === "" && blank === "") return "";
  if (Array.isArray(original) && original.length === 0 && Array.isArray(blank)) return [];
  // Unticking a box that was ticked (or false before) says false, even on an optional field.
  if (kind.type === "checkbox" && typeof original === "boolean") return false;
  if (!spec.required) return OMITTED;
  if (spec.nullable) return null;
  // "" / [] / false, or left out so that zod reports the field as missing.
  return blank;
}
