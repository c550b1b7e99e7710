import type { z } from "zod";
import { contextNote, escapeMrkdwn, type KnownBlock, md, modalTitle, type ModalView, plainText } from "./block-kit.js";
import { runInputMetadata } from "./private-metadata.js";
import { buildFormBlocks, type FormReading, readFormValues } from "./schema-form.js";
import { describeForm } from "./schema-fields.js";

export { parseRunInputMetadata } from "./private-metadata.js";

/** The `callback_id` of the run-input modal's `view_submission`. */
export const RUN_CALLBACK_ID = "baton.run_submit";

export interface RunInputModalInput {
  chainId: string;
  chainTitle: string;
  /** The chain's input schema. */
  schema: z.ZodType;
  /** The channel the run was asked for in; its cards are posted there. */
  channelId: string;
  /** A suggested input, e.g. the text typed after `/baton run <chain>`. */
  prefill?: unknown;
}

/**
 * The form for a chain's input, opened by `/baton run <chain>`. `private_metadata` is
 * `{"chainId":"...","channelId":"..."}` (read it with `parseRunInputMetadata`), so the prefill
 * is not carried: fields are shaped by the schema alone and read back with `readRunInput`.
 */
export function buildRunInputModal(input: RunInputModalInput): ModalView {
  const form = buildFormBlocks(input.schema, input.prefill, { prefillOnly: true });
  const blocks: KnownBlock[] = [...form.blocks];
  if (form.notEditable.length > 0) {
    const names = escapeMrkdwn(form.notEditable.map((name) => `\`${name}\``).join(", "));
    blocks.push(
      contextNote(
        "baton.not_editable_note",
        md`This form cannot hold ${names}. To set them, run \`baton run ${escapeMrkdwn(input.chainId)} --input input.json\` at a terminal.`,
      ),
    );
  }
  return {
    type: "modal",
    callback_id: RUN_CALLBACK_ID,
    private_metadata: runInputMetadata(input.chainId, input.channelId),
    title: modalTitle(`Run ${input.chainTitle}`),
    submit: plainText("Start run"),
    close: plainText("Cancel"),
    blocks,
  };
}

/** The chain input submitted in a run-input modal, checked with the chain's input schema. */
export function readRunInput(schema: z.ZodType, stateValues: unknown): FormReading {
  return readFormValues(schema, stateValues, undefined);
}

/**
 * The field that `/baton run <chain> some text` fills with the text: the input schema is an
 * object whose only required field is a plain string (others optional). Undefined otherwise.
 */
export function singleTextField(schema: z.ZodType): string | undefined {
  const form = describeForm(schema);
  if (form.type !== "object") return undefined;
  const required = form.fields.filter((field) => field.required);
  const [only] = required;
  if (required.length !== 1 || only === undefined) return undefined;
  return only.kind.type === "text" && !only.nullable ? only.name : undefined;
}
