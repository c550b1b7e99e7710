import { z } from "zod";

/**
 * Slack's `view.state.values` as sent with a `view_submission`: `{ [blockId]: { [actionId]:
 * element state } }`. It is outside data, so it is parsed, and each element leniently: a block
 * that is missing or malformed reads as blank, and zod's check of the result says what is wrong.
 */

const SelectedOption = z.looseObject({ value: z.string() });

/**
 * What this folder reads of an element's state:
 * - `plain_text_input`, `number_input`: `{ type, value: string | null }` (null when empty)
 * - `static_select`: `{ type, selected_option: { text, value } | null }`
 * - `checkboxes`: `{ type, selected_options: Array<{ text, value }> }`
 */
export const ElementState = z.looseObject({
  type: z.string(),
  value: z.string().nullish(),
  selected_option: SelectedOption.nullish(),
  selected_options: z.array(SelectedOption).nullish(),
});
export type ElementState = z.infer<typeof ElementState>;

const StateBlocks = z.record(z.string(), z.record(z.string(), z.unknown()));

/** Block id → action id → raw element state. */
export type StateBlocks = z.infer<typeof StateBlocks>;

/** `view.state.values` as a record of blocks; anything else reads as no blocks at all. */
export function parseStateValues(stateValues: unknown): StateBlocks {
  const blocks = StateBlocks.safeParse(stateValues);
  return blocks.success ? blocks.data : {};
}

/** The state of the element `actionId` in block `blockId`, or undefined when absent or malformed. */
export function readElement(state: StateBlocks, blockId: string, actionId: string): ElementState | undefined {
  const element = ElementState.safeParse(state[blockId]?.[actionId]);
  return element.success ? element.data : undefined;
}

/** The typed text of a text or number input; undefined when blank. */
export function textOf(element: ElementState | undefined): string | undefined {
  const value = element?.value;
  return typeof value === "string" && value.trim() !== "" ? value : undefined;
}
