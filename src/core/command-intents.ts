/**
 * Command intents: the durable record of an acknowledged request whose work comes after the
 * ack (a pull request review that reads GitHub first, an RFP whose document is downloaded
 * first). Recorded before the ack, finished when the work is done; a process that dies in
 * between leaves it open, and the next one does the work. Re-exported by `ports.ts`.
 */

export interface CommandIntent {
  id: string;
  /** What to do: `review`, `rfp`, ... (the adapter that recorded it knows the payload's shape). */
  kind: string;
  /** What the work needs, as plain JSON; `unknown` until the adapter parses it. */
  payload: unknown;
  createdAt: number;
}

export interface CommandIntentStore {
  /** Record an intent (one write, committed when this resolves). Returns its id. */
  recordIntent(intent: { kind: string; payload: unknown; at: number }): Promise<string>;
  /** Intents not finished yet, oldest first. */
  listOpenIntents(limit: number): Promise<CommandIntent[]>;
  /** The work is done (or was answered with an error): the intent is closed. */
  finishIntent(intentId: string, at: number): Promise<void>;
}
