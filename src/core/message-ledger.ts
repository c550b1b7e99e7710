/**
 * The message ledger port: what an adapter (Slack) posted where. Adapters are projections of
 * the store's state; the ledger is how a projection updates a card in place instead of posting
 * it again, posts a thread reply once, and lets one process (of several) claim a reminder or a
 * scheduled start. Re-exported by `ports.ts`.
 */

export interface PostedMessage {
  /** What the message is: `card:<run id>`, `step:<run id>:<index>:<executions>`, `approval:<id>`, ... */
  key: string;
  runId: string | null;
  channel: string;
  /** The message's id in its channel (Slack's `ts`); null while claimed but not posted yet. */
  ts: string | null;
  /** A hash of what the message shows, so an unchanged card is not updated again. */
  contentHash: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface MessageClaim {
  key: string;
  runId: string | null;
  channel: string;
  at: number;
}

export interface MessageRecord extends MessageClaim {
  ts: string;
  contentHash: string | null;
}

export interface MessageLedger {
  getMessage(key: string): Promise<PostedMessage | undefined>;
  listMessagesOfRun(runId: string): Promise<PostedMessage[]>;
  /** Insert `key` unless it exists. True when this call inserted it: the caller may post. */
  claimMessage(claim: MessageClaim): Promise<boolean>;
  /** Record (insert or update) where the message is and what it shows. */
  recordMessage(message: MessageRecord): Promise<void>;
  /** Drop a claim whose post failed (no `ts` yet), so a later attempt may claim it again. */
  releaseClaim(key: string): Promise<void>;
}
