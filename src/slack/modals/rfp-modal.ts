import { z } from "zod";
import { contextNote, type KnownBlock, md, modalTitle, type ModalView, plainText, SLACK_LIMITS, truncate } from "./block-kit.js";
import { parseStateValues, readElement, textOf } from "./slack-state.js";

/**
 * `/baton rfp`: title, customer, and the RFP either pasted (Slack's text inputs hold 3,000
 * characters, so short ones) or picked from the files recently shared in the channel. Ids only
 * in `private_metadata`; the file is fetched when the form is submitted.
 */

export const RFP_CALLBACK_ID = "baton.rfp_submit";

export const RFP_BLOCKS = { title: "rfp_title", customer: "rfp_customer", file: "rfp_file", text: "rfp_text" } as const;
const ACTION = "value";

export interface SharedFileChoice {
  id: string;
  name: string;
}

const Metadata = z.object({ channelId: z.string().min(1) });

export function buildRfpModal(input: { channelId: string; files: ReadonlyArray<SharedFileChoice> }): ModalView {
  const blocks: KnownBlock[] = [
    {
      type: "input",
      block_id: RFP_BLOCKS.title,
      label: plainText("RFP title"),
      element: { type: "plain_text_input", action_id: ACTION, max_length: 150, placeholder: plainText("Cloud platform modernisation RFP 2027") },
    },
    {
      type: "input",
      block_id: RFP_BLOCKS.customer,
      label: plainText("Customer"),
      element: { type: "plain_text_input", action_id: ACTION, max_length: 150, placeholder: plainText("Acme Corp") },
    },
  ];
  if (input.files.length > 0) {
    blocks.push({
      type: "input",
      block_id: RFP_BLOCKS.file,
      optional: true,
      label: plainText("The RFP: a file shared in this channel"),
      hint: plainText("Plain text, Markdown or PDF. Share the file in the channel first if it is not listed."),
      element: {
        type: "static_select",
        action_id: ACTION,
        placeholder: plainText("Pick a file"),
        options: input.files
          .slice(0, SLACK_LIMITS.selectOptions)
          .map((file) => ({ text: plainText(truncate(file.name, SLACK_LIMITS.optionText)), value: file.id })),
      },
    });
  } else {
    blocks.push(
      contextNote(
        "rfp_no_files",
        md`No text, Markdown or PDF files were shared in this channel recently. Share the RFP file here and run \`/baton rfp\` again, or paste a short RFP below.`,
      ),
    );
  }
  blocks.push({
    type: "input",
    block_id: RFP_BLOCKS.text,
    optional: true,
    label: plainText(input.files.length > 0 ? "…or paste the RFP text" : "The RFP text"),
    hint: plainText("Up to 3,000 characters here; for a longer RFP, share its file in the channel and pick it."),
    element: { type: "plain_text_input", action_id: ACTION, multiline: true, max_length: SLACK_LIMITS.textInput },
  });
  return {
    type: "modal",
    callback_id: RFP_CALLBACK_ID,
    private_metadata: JSON.stringify({ channelId: input.channelId }),
    title: modalTitle("RFP response"),
    submit: plainText("Start"),
    close: plainText("Cancel"),
    blocks,
  };
}

export type RfpFormReading =
  | { ok: true; channelId: string; title: string; customer: string; source: { kind: "file"; fileId: string } | { kind: "text"; text: string } }
  | { ok: false; errors: Record<string, string> };

/** The submitted form, or the message to show on each block that needs fixing. */
export function readRfpForm(privateMetadata: string, stateValues: unknown): RfpFormReading {
  const state = parseStateValues(stateValues);
  const value = (block: string): string | undefined => textOf(readElement(state, block, ACTION))?.trim();
  const fileId = readElement(state, RFP_BLOCKS.file, ACTION)?.selected_option?.value;
  const text = value(RFP_BLOCKS.text);
  const title = value(RFP_BLOCKS.title);
  const customer = value(RFP_BLOCKS.customer);
  const errors: Record<string, string> = {};
  if (!title) errors[RFP_BLOCKS.title] = "Give the RFP a title.";
  if (!customer) errors[RFP_BLOCKS.customer] = "Name the customer.";
  if (fileId && text) errors[RFP_BLOCKS.text] = "Pick a file or paste text, not both.";
  if (!fileId && !text) errors[RFP_BLOCKS.text] = "Paste the RFP text, or pick its file above.";
  let channelId: string | undefined;
  try {
    channelId = Metadata.parse(JSON.parse(privateMetadata)).channelId;
  } catch {
    errors[RFP_BLOCKS.title] = "This form is from an older baton. Close it and run /baton rfp again.";
  }
  if (Object.keys(errors).length > 0 || !title || !customer || !channelId) return { ok: false, errors };
  return { ok: true, channelId, title, customer, source: fileId ? { kind: "file", fileId } : { kind: "text", text: text ?? "" } };
}
