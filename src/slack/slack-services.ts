import type { ChainRegistry } from "../core/chain-registry.js";
import type { ReviewStart } from "../core/chain.js";
import type { ChainStore, Clock, CommandIntentStore, Logger, MessageLedger, PullRequestRef, RunOrigin } from "../core/ports.js";
import type { Runner } from "../core/runner.js";
import type { ApproverDirectory } from "./approver-directory.js";
import type { RunProjection } from "./run-projection.js";

/** What the Slack handlers work with: the core's runner and store, and the Slack-side helpers. */
export interface SlackServices {
  runner: Runner;
  store: ChainStore;
  chains: ChainRegistry;
  ledger: MessageLedger;
  /** Acknowledged requests whose work comes after the ack (`/baton review`, the RFP form). */
  intents: CommandIntentStore;
  projection: RunProjection;
  directory: ApproverDirectory;
  clock: Clock;
  logger: Logger;
  /** Answers come from the chains' examples: every message says so. */
  scripted: boolean;
  /** `/baton rfp`: where the document goes, and how a shared file becomes its text. */
  rfp: {
    chainId: string;
    maxBytes: number;
    /** For downloading shared files (their private URLs need the bot token). */
    botToken: string;
    readDocument(file: { bytes: Buffer; fileName: string; mimeType: string }): Promise<string>;
  };
  /** The key approval modals' `private_metadata` is sealed with (the signing secret, or the bot token). */
  formKey: string;
  /** `/baton review <pull request URL>`. */
  reviews: { reviewPullRequest(ref: PullRequestRef, startedBy: string, origin?: RunOrigin): Promise<ReviewStart> };
}

/** The origin a Slack-started run records: where to show it and who asked. */
export function slackOrigin(channelId: string, userId: string): { source: string; reference: Record<string, string> } {
  return { source: "slack", reference: { channel: channelId, user: userId } };
}
