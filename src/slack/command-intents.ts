import { z } from "zod";
import { describeError, isBatonError } from "../core/errors.js";
import type { PullRequestRef } from "../core/ports.js";
import { renderError, startedMessage, textReply } from "./render/command-replies.js";
import { escapeMrkdwn, md } from "./render/mrkdwn.js";
import type { SlackMessage } from "./render/types.js";
import { describeSharedFile, downloadSharedFile, type SharedFile } from "./shared-files.js";
import { slackOrigin, type SlackServices } from "./slack-services.js";
import type { SlackClient } from "./slack-web-client.js";

/**
 * Acknowledged Slack requests whose work comes after the ack: `/baton review` (GitHub is read
 * first) and the RFP form (the document is downloaded first). Each is recorded as a command
 * intent before its ack, and finished when its work is done; `resumeIntents` does the work of
 * the intents a process that died left open, and tells the person in the channel.
 */

export const REVIEW_INTENT = "slack.review";
export const RFP_INTENT = "slack.rfp";

const ReviewIntent = z.object({ repository: z.string(), number: z.number().int().positive(), userId: z.string(), channelId: z.string() });
const RfpIntent = z.object({
  userId: z.string(),
  channelId: z.string(),
  title: z.string(),
  customer: z.string(),
  source: z.discriminatedUnion("kind", [z.object({ kind: z.literal("file"), fileId: z.string() }), z.object({ kind: z.literal("text"), text: z.string() })]),
});
export type RfpIntentPayload = z.infer<typeof RfpIntent>;

/** Start the review of a pull request; what the person is told. */
export async function reviewFromSlack(pullRequest: PullRequestRef, userId: string, channelId: string, services: SlackServices): Promise<SlackMessage> {
  const where = `${pullRequest.repository}#${String(pullRequest.number)}`;
  const outcome = await services.reviews.reviewPullRequest(pullRequest, userId, slackOrigin(channelId, userId));
  return textReply(
    outcome.started
      ? md`Reviewing ${escapeMrkdwn(where)} at \`${escapeMrkdwn(outcome.headSha.slice(0, 7))}\` as run \`${escapeMrkdwn(outcome.runId)}\`${services.scripted ? md` (scripted demo model)` : md``}. The review is proposed here for approval before anything is posted to GitHub.`
      : md`Not reviewing: ${escapeMrkdwn(outcome.message)}`,
  );
}

/** Read the RFP's document (downloading a shared file) and start the run; what the person is told. */
export async function rfpFromSlack(payload: RfpIntentPayload, client: SlackClient, services: SlackServices, knownFile?: SharedFile): Promise<SlackMessage> {
  let document: string;
  let sourceName: string;
  if (payload.source.kind === "file") {
    const file = knownFile ?? (await describeSharedFile(client, payload.source.fileId));
    const bytes = await downloadSharedFile(file, services.rfp.botToken, services.rfp.maxBytes);
    document = await services.rfp.readDocument({ bytes, fileName: file.name, mimeType: file.mimeType });
    sourceName = file.name;
  } else {
    document = payload.source.text;
    sourceName = "pasted text";
  }
  const chainId = services.rfp.chainId;
  const { runId } = await services.runner.start(
    chainId,
    { title: payload.title, customer: payload.customer, document, sourceName },
    { startedBy: payload.userId, origin: slackOrigin(payload.channelId, payload.userId) },
  );
  return startedMessage(runId, services.chains.has(chainId) ? services.chains.get(chainId).title : chainId, services.scripted);
}

/** A failure as the ephemeral message that explains it. */
export function failureMessage(error: unknown): SlackMessage {
  return renderError({ code: isBatonError(error) ? error.code : "INTERNAL", message: describeError(error) });
}

/**
 * Do the work of every intent left open by a process that stopped after acknowledging it, and
 * tell each person in their channel (ephemeral). Each intent is finished once it is answered.
 * Returns the ids of the intents resumed.
 */
export async function resumeIntents(services: SlackServices, client: SlackClient): Promise<string[]> {
  const { intents, clock, logger } = services;
  const resumed: string[] = [];
  for (const intent of await intents.listOpenIntents(100)) {
    const review = intent.kind === REVIEW_INTENT ? ReviewIntent.safeParse(intent.payload) : undefined;
    const rfp = intent.kind === RFP_INTENT ? RfpIntent.safeParse(intent.payload) : undefined;
    const who = review?.success ? review.data : rfp?.success ? rfp.data : undefined;
    if (who === undefined) {
      logger.warn(
        { intentId: intent.id, kind: intent.kind },
        "an acknowledged request left over from a previous process has a shape this baton does not know; closing it",
      );
      await intents.finishIntent(intent.id, clock.now());
      continue;
    }
    let message: SlackMessage;
    try {
      message = review?.success
        ? await reviewFromSlack({ repository: review.data.repository, number: review.data.number }, who.userId, who.channelId, services)
        : await rfpFromSlack(RfpIntent.parse(intent.payload), client, services);
    } catch (error) {
      if (!isBatonError(error))
        logger.error({ intentId: intent.id, error: describeError(error) }, "an acknowledged request left over from a previous process failed");
      message = failureMessage(error);
    }
    await client.chat
      .postEphemeral({ channel: who.channelId, user: who.userId, text: message.text, blocks: message.blocks as never })
      .catch((error: unknown) => {
        logger.warn({ intentId: intent.id, error: describeError(error) }, "could not tell the person what became of their request");
      });
    await intents.finishIntent(intent.id, clock.now());
    resumed.push(intent.id);
  }
  return resumed;
}
