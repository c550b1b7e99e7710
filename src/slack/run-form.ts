import { startedMessage } from "./render/command-replies.js";
import type { App } from "@slack/bolt";
import { describeError, isBatonError } from "../core/errors.js";
import { parseRunInputMetadata, readRunInput, RUN_CALLBACK_ID } from "./modals/run-input-modal.js";
import { slackOrigin, type SlackServices } from "./slack-services.js";

/**
 * The run form's submission (`/baton run <chain>` without text): the input is checked with the
 * chain's schema and any problem is shown on its field; a valid one starts the run, and the
 * person who asked is told its id in the channel (ephemeral).
 */
export function registerRunForm(app: App, services: SlackServices): void {
  const { chains, runner, logger } = services;
  app.view(RUN_CALLBACK_ID, async ({ ack, body, view, client }) => {
    const firstBlock = view.blocks.find((block) => block.type === "input")?.block_id ?? "value";
    const fail = (text: string): Promise<void> => ack({ response_action: "errors", errors: { [firstBlock]: text.slice(0, 150) } });
    const metadata = parseRunInputMetadata(view.private_metadata);
    if (!metadata.ok) return await fail(`This form is from an older baton: ${metadata.message}. Close it and run the command again.`);
    const { chainId, channelId } = metadata.value;
    let runId: string;
    try {
      const chain = chains.get(chainId);
      const reading = readRunInput(chain.input, view.state.values);
      if (!reading.ok) return await ack({ response_action: "errors", errors: reading.errors });
      ({ runId } = await runner.start(chainId, reading.value, { startedBy: body.user.id, origin: slackOrigin(channelId, body.user.id) }));
    } catch (error) {
      if (!isBatonError(error)) logger.error({ chainId, error: describeError(error) }, "starting a run from the form failed");
      return await fail(describeError(error));
    }
    await ack();
    const message = startedMessage(runId, chains.get(chainId).title, services.scripted);
    await client.chat.postEphemeral({ channel: channelId, user: body.user.id, text: message.text, blocks: message.blocks }).catch((error: unknown) => {
      logger.warn({ runId, error: describeError(error) }, "could not tell the user their run started");
    });
  });
}
