import type { MessageLedger } from "../../src/core/ports.js";
import { approvalKey } from "../../src/slack/run-projection.js";

/**
 * Where an approval's card is in Slack (channel and ts, as baton recorded them), waiting up to
 * `timeoutMs` for it to be posted: a click counts only on the card it was built for, so a test's
 * click must come from there, as a person's does.
 */
export async function approvalCardOf(ledger: MessageLedger, approvalId: string, timeoutMs = 10_000): Promise<{ channelId: string; messageTs: string }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const card = await ledger.getMessage(approvalKey(approvalId));
    if (card?.ts) return { channelId: card.channel, messageTs: card.ts };
    if (Date.now() > deadline) throw new Error(`approval ${approvalId} has no card in Slack after ${String(timeoutMs)} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
