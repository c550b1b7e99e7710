import type { types } from "@slack/bolt";

/** A message as baton posts it: blocks for people, `text` for notifications and screen readers. */
export interface SlackMessage {
  text: string;
  blocks: types.KnownBlock[];
}

/** What the cards need to know of a chain: its title and its steps, in order. */
export interface ChainView {
  id: string;
  title: string;
  description?: string;
  steps: ReadonlyArray<{ id: string; description?: string; gated: boolean }>;
}
