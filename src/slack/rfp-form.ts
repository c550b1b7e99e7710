import type { App } from "@slack/bolt";
import { describeError, isBatonError } from "../core/errors.js";
import { buildRfpModal, readRfpForm, RFP_BLOCKS, RFP_CALLBACK_ID, type SharedFileChoice } from "./modals/rfp-modal.js";
import { failureMessage, rfpFromSlack, RFP_INTENT, type RfpIntentPayload } from "./command-intents.js";
import type { SlackMessage } from "./render/types.js";
import { checkSharedFile, describeSharedFile, listChannelDocuments, type SharedFile } from "./shared-files.js";
import type { SlackServices } from "./slack-services.js";
import { withinBudget, type SlackClient } from "./slack-web-client.js";

/**
 * `/baton rfp` and its form. The form lists the channel's readable files; on submit a picked
 * file is checked (type, size) while the form is still open, so a bad file is shown on its
 * field; then the form closes, the file is downloaded and read, and the run starts — its id,
 * or what went wrong, comes back as an ephemeral message in the channel.
 */

/** The trigger id dies 3 s after the command; listing files may use a part of it. */
const LIST_FILES_BUDGET_MS = 1_000;
const MODAL_BUDGET_MS = 2_000;

export async function openRfpForm(context: { client: SlackClient; channelId: string; triggerId: string }, services: SlackServices): Promise<void> {
  let files: SharedFileChoice[] = [];
  try {
    files = await withinBudget("the channel's files", LIST_FILES_BUDGET_MS, () => listChannelDocuments(context.client, context.channelId));
  } catch (error) {
    // The form still works with pasted text; say why the picker is missing in the log.
    services.logger.warn({ channelId: context.channelId, error: describeError(error) }, "could not list the channel's files for the RFP form");
  }
  const view = buildRfpModal({ channelId: context.channelId, files });
  await withinBudget("the RFP form", MODAL_BUDGET_MS, () => context.client.views.open({ trigger_id: context.triggerId, view }));
}

export function registerRfpForm(app: App, services: SlackServices): void {
  const { logger } = services;
  app.view(RFP_CALLBACK_ID, async ({ ack, body, view, client }) => {
    const reading = readRfpForm(view.private_metadata, view.state.values);
    if (!reading.ok) return await ack({ response_action: "errors", errors: reading.errors });
    const userId = body.user.id;
    const { channelId } = reading;
    let file: SharedFile | undefined;
    if (reading.source.kind === "file") {
      try {
        file = await describeSharedFile(client, reading.source.fileId);
        checkSharedFile(file, services.rfp.maxBytes);
      } catch (error) {
        return await ack({ response_action: "errors", errors: { [RFP_BLOCKS.file]: describeError(error).slice(0, 150) } });
      }
    }
    // Downloading and reading the document takes longer than Slack waits for the ack: the
    // request is recorded as an intent first, so a process that dies after the ack leaves it
    // for the next one (resumeIntents).
    const payload: RfpIntentPayload = { userId, channelId, title: reading.title, customer: reading.customer, source: reading.source };
    let intentId: string;
    try {
      intentId = await services.intents.recordIntent({ kind: RFP_INTENT, payload, at: services.clock.now() });
    } catch (error) {
      logger.error({ userId, error: describeError(error) }, "could not record an RFP request");
      return await ack({
        response_action: "errors",
        errors: { [RFP_BLOCKS.file]: `baton could not record this request (${describeError(error)}). Try again.`.slice(0, 150) },
      });
    }
    await ack();
    let message: SlackMessage;
    try {
      message = await rfpFromSlack(payload, client, services, file);
    } catch (error) {
      if (!isBatonError(error)) logger.error({ userId, error: describeError(error) }, "starting an RFP response failed");
      message = failureMessage(error);
    }
    await client.chat.postEphemeral({ channel: channelId, user: userId, text: message.text, blocks: message.blocks as never }).catch((error: unknown) => {
      logger.warn({ userId, error: describeError(error) }, "could not answer the RFP form in its channel");
    });
    await services.intents.finishIntent(intentId, services.clock.now());
  });
}
