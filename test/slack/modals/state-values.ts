import type { types } from "@slack/bolt";

/**
 * Builds the `view.state.values` Slack sends when a modal is submitted, from the modal's
 * blocks: each input element as it was prefilled, unless the test types something else.
 */

type AnyBlock = types.AnyBlock;
type InputBlock = types.InputBlock;

export type ElementStateFixture = {
  type: string;
  value?: string | null;
  selected_option?: { text: { type: "plain_text"; text: string }; value: string } | null;
  selected_options?: Array<{ text: { type: "plain_text"; text: string }; value: string }>;
};

export function inputBlocks(blocks: ReadonlyArray<AnyBlock>): InputBlock[] {
  return blocks.filter((block): block is InputBlock => block.type === "input");
}

/** The mrkdwn and plain texts of a view's context blocks. */
export function contextTexts(blocks: ReadonlyArray<AnyBlock>): string[] {
  return blocks
    .filter((block): block is types.ContextBlock => block.type === "context")
    .flatMap((block) => block.elements.flatMap((element) => ("text" in element ? [element.text] : [])));
}

export function inputBlock(blocks: ReadonlyArray<AnyBlock>, blockId: string): InputBlock {
  const block = inputBlocks(blocks).find((candidate) => candidate.block_id === blockId);
  if (block === undefined) throw new Error(`no input block ${blockId}`);
  return block;
}

/** The state of an element exactly as prefilled, as Slack reports an untouched field. */
export function untouchedState(block: InputBlock): ElementStateFixture {
  const element = block.element;
  switch (element.type) {
    case "plain_text_input":
    case "number_input":
      return { type: element.type, value: element.initial_value ?? null };
    case "static_select": {
      const option = element.initial_option;
      return {
        type: element.type,
        selected_option: option === undefined ? null : { text: { type: "plain_text", text: option.text.text }, value: option.value ?? "" },
      };
    }
    case "checkboxes":
      return {
        type: element.type,
        selected_options: (element.initial_options ?? []).map((option) => ({
          text: { type: "plain_text", text: option.text.text },
          value: option.value ?? "",
        })),
      };
    default:
      throw new Error(`fixture does not know ${element.type}`);
  }
}

/** `view.state.values` for `blocks`, with `changes` (block id → element state) applied. */
export function stateValues(
  blocks: ReadonlyArray<AnyBlock>,
  changes: Record<string, ElementStateFixture> = {},
): Record<string, Record<string, ElementStateFixture>> {
  const state: Record<string, Record<string, ElementStateFixture>> = {};
  for (const block of inputBlocks(blocks)) {
    const blockId = block.block_id ?? "";
    const actionId = block.element.action_id ?? "";
    state[blockId] = { [actionId]: changes[blockId] ?? untouchedState(block) };
  }
  return state;
}

export const typed = (value: string | null): ElementStateFixture => ({ type: "plain_text_input", value });
export const typedNumber = (value: string | null): ElementStateFixture => ({ type: "number_input", value });
export const selected = (value: string | null): ElementStateFixture => ({
  type: "static_select",
  selected_option: value === null ? null : { text: { type: "plain_text", text: value }, value },
});
export const checked = (isChecked: boolean): ElementStateFixture => ({
  type: "checkboxes",
  selected_options: isChecked ? [{ text: { type: "plain_text", text: "Yes" }, value: "true" }] : [],
});
