import type { Notification, Notifier } from "../core/ports.js";
import { BatonError } from "../core/errors.js";
import { renderNotification } from "./notification-message.js";
import type { RunProjection } from "./run-projection.js";

/**
 * The `Notifier` port on Slack, for action steps: a notification with a destination goes to
 * that channel; without one, into the run's thread (or its channel, when the card is not posted
 * yet). Each notification is recorded in the message ledger under its idempotency key, so a
 * repeated step updates the message it posted instead of posting it again.
 */
export class SlackNotifier implements Notifier {
  readonly #projection: RunProjection;
  readonly #resolveRunChannel: (runId: string) => Promise<string | undefined>;

  constructor(projection: RunProjection, resolveRunChannel: (runId: string) => Promise<string | undefined>) {
    this.#projection = projection;
    this.#resolveRunChannel = resolveRunChannel;
  }

  async notify(notification: Notification): Promise<{ reference: string }> {
    const thread = await this.#projection.threadOf(notification.runId);
    const channel = notification.destination ?? thread?.channel ?? (await this.#resolveRunChannel(notification.runId));
    if (channel === undefined) {
      throw new BatonError(
        "CONFIG_INVALID",
        `Run ${notification.runId} has nowhere to post "${notification.title}": it did not start in Slack and no channel is configured. Set BATON_SLACK_CHANNEL or the chain's \`channel\`.`,
        {
          runId: notification.runId,
        },
      );
    }
    const inThread = notification.destination === undefined || notification.destination === thread?.channel;
    const threadTs = inThread ? thread?.ts : undefined;
    const ts = await this.#projection.upsert(`notify:${notification.idempotencyKey}`, notification.runId, channel, renderNotification(notification), threadTs);
    if (notification.attachment) {
      // The document goes beside the message: into the same thread, or under the message when it opened none.
      const fileId = await this.#projection.uploadOnce(
        `file:${notification.idempotencyKey}`,
        notification.runId,
        channel,
        notification.attachment,
        threadTs ?? ts,
      );
      return { reference: `${channel}/${ts} file ${fileId}` };
    }
    return { reference: `${channel}/${ts}` };
  }
}
