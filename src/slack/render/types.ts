import type { KnownBlock, HomeView as SlackHomeView } from "@slack/types";
import type { Mrkdwn } from "./mrkdwn.js";

/** One Block Kit layout block, as the renderers build them. */
export type Block = KnownBlock;

/** A Home tab view whose blocks are all ones baton builds (and tests can read). */
export interface HomeView extends SlackHomeView {
  blocks: KnownBlock[];
}

/**
 * A message as baton posts it: blocks for people, `text` for notifications and screen readers.
 * `text` is mrkdwn to Slack (it parses mentions there), so it is `Mrkdwn`: escaped or built.
 */
export interface SlackMessage {
  text: Mrkdwn;
  blocks: KnownBlock[];
}

/** What the cards need to know of a chain: its title and its steps, in order. */
export interface ChainView {
  id: string;
  title: string;
  /** One line on what the chain does, for `/baton chains`. */
  description?: string;
  steps: ReadonlyArray<{
    id: string;
    description?: string;
    /** Whether a person approves the step's output before the run goes on. */
    gated: boolean;
    /** The gate's own title for its approval card, when the chain gives one. */
    approvalTitle?: string;
  }>;
}
