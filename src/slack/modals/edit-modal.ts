import type { z } from "zod";
import { contextNote, escapeMrkdwn, type KnownBlock, md, modalTitle, type ModalView, plainText } from "./block-kit.js";
import { approvalMetadata } from "./private-metadata.js";
import { buildFormBlocks } from "./schema-form.js";

export { parseApprovalMetadata } from "./private-metadata.js";

/** The `callback_id` of the edit modal's `view_submission`. */
export const EDIT_CALLBACK_ID = "baton.edit_submit";

export interface EditModalInput {
  approvalId: string;
  stepTitle: string;
  /** The step's output schema: the form is built from it and the edit checked against it. */
  schema: z.ZodType;
  /** The output awaiting approval; it prefills the form. */
  proposal: unknown;
  /** The proposal came from the scripted demo model, not a real one. */
  scripted: boolean;
}

/**
 * The "Edit" modal of an approval: the proposal as a form built from the step's schema.
 * Submitting approves the edited output. `private_metadata` is `{"approvalId":"..."}` (read it
 * with `parseApprovalMetadata`); the handler loads the proposal again and reads the form with
 * `readFormValues(schema, view.state.values, proposal)`.
 */
export function buildEditModal(input: EditModalInput): ModalView {
  const form = buildFormBlocks(input.schema, input.proposal);
  const blocks: KnownBlock[] = [
    contextNote("baton.edit_note", md`Your edit is checked against the step's schema and recorded with a diff in the run's audit log.`),
  ];
  if (input.scripted) {
    blocks.push(
      contextNote(
        "baton.scripted_notice",
        md`:information_source: This proposal came from the scripted demo model (the chain's example answers), not a real model.`,
      ),
    );
  }
  blocks.push(...form.blocks);
  if (form.notEditable.length > 0) {
    const names = escapeMrkdwn(form.notEditable.map((name) => `\`${name}\``).join(", "));
    blocks.push(
      contextNote(
        "baton.not_editable_note",
        md`Too long to edit here, kept as proposed: ${names}. To change them, run \`baton approve ${escapeMrkdwn(input.approvalId)} --edit edited.json\` at a terminal.`,
      ),
    );
  }
  return {
    type: "modal",
    callback_id: EDIT_CALLBACK_ID,
    private_metadata: approvalMetadata(input.approvalId),
    title: modalTitle(`Edit ${input.stepTitle}`),
    submit: plainText("Approve edit"),
    close: plainText("Cancel"),
    blocks,
  };
}
