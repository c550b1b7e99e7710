import { type InputBlock, plainText, type PlainTextOption, SLACK_LIMITS, truncate } from "./block-kit.js";
import { FIELD_ACTION_ID, type PlannedField } from "./form-plan.js";

/** One input block per planned field, with the element that suits its kind. */

/** Text at least this long (or with a line break) is edited in a multi-line box. */
const MULTILINE_FROM = 80;

export function fieldBlock(field: PlannedField): InputBlock {
  const block: InputBlock = {
    type: "input",
    block_id: field.blockId,
    label: plainText(field.spec.label, SLACK_LIMITS.label),
    optional: !field.spec.required || field.spec.nullable || field.spec.blankAllowed,
    element: fieldElement(field),
  };
  const hint = fieldHint(field);
  if (hint !== undefined) block.hint = plainText(hint, SLACK_LIMITS.hint);
  return block;
}

function fieldElement(field: PlannedField): InputBlock["element"] {
  const { kind, prefill } = field;
  switch (kind.type) {
    case "text": {
      const multiline = prefill !== undefined && (prefill.length > MULTILINE_FROM || /[\r\n]/.test(prefill));
      return textInput(prefill, multiline, kind.maxLength);
    }
    case "select": {
      const options = kind.values.map(selectOption);
      const initial = options.find((option) => option.value === prefill);
      return {
        type: "static_select",
        action_id: FIELD_ACTION_ID,
        placeholder: plainText("Choose one"),
        options,
        ...(initial === undefined ? {} : { initial_option: initial }),
      };
    }
    case "checkbox": {
      const option: PlainTextOption = { text: plainText("Yes"), value: "true" };
      return { type: "checkboxes", action_id: FIELD_ACTION_ID, options: [option], ...(prefill === "true" ? { initial_options: [option] } : {}) };
    }
    case "number":
      return {
        type: "number_input",
        action_id: FIELD_ACTION_ID,
        is_decimal_allowed: !kind.integer,
        ...(prefill === undefined ? {} : { initial_value: prefill }),
        ...(kind.minimum === undefined ? {} : { min_value: String(kind.minimum) }),
        ...(kind.maximum === undefined ? {} : { max_value: String(kind.maximum) }),
      };
    case "lines":
    case "json":
      return textInput(prefill, true, undefined);
  }
}

function textInput(prefill: string | undefined, multiline: boolean, schemaMaxLength: number | undefined): InputBlock["element"] {
  // Slack refuses a prefill longer than max_length, so a current value that already breaks the
  // schema's limit still opens; zod then asks for it to be shortened.
  const maxLength = Math.min(SLACK_LIMITS.textInput, Math.max(schemaMaxLength ?? SLACK_LIMITS.textInput, prefill?.length ?? 0));
  return {
    type: "plain_text_input",
    action_id: FIELD_ACTION_ID,
    multiline,
    max_length: maxLength,
    ...(prefill === undefined ? {} : { initial_value: prefill }),
  };
}

function selectOption(value: string): PlainTextOption {
  return { text: plainText(value, SLACK_LIMITS.optionText), value };
}

function fieldHint(field: PlannedField): string | undefined {
  const description = field.spec.description;
  switch (field.kind.type) {
    case "lines":
      return description === undefined ? "One item per line." : `${description} (one per line)`;
    case "json":
      return description === undefined ? "JSON" : `${truncate(description, SLACK_LIMITS.hint - 7)} (JSON)`;
    default:
      return description;
  }
}
