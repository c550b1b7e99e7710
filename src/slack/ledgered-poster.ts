import { createHash } from "node:crypto";
import { describeError } from "../core/errors.js";
import type { Clock, Logger, MessageLedger } from "../core/ports.js";
import type { Mrkdwn } from "./render/mrkdwn.js";
import type { SlackMessage } from "./render/types.js";
import { findPostedMessage, MESSAGE_KEY_EVENT } from "./posted-message-lookup.js";
import { slackErrorCode, type SlackClient } from "./slack-web-client.js";

/**
 * Slack messages and uploads keyed in the message ledger, so each is sent once however often a
 * projection, a reminder or a repeated step asks: the key is claimed before the call and the
 * answer recorded after it.
 */

export interface LedgeredPosterOptions {
  ledger: MessageLedger;
  client: SlackClient;
  clock: Clock;
  logger: Logger;
}

/** A file for a channel or thread; `comment` is posted with it. */
export interface FileToUpload {
  filename: string;
  title: string;
  content: string;
  comment?: Mrkdwn;
}

function hashOf(message: SlackMessage): string {
  return createHash("sha256").update(JSON.stringify(message)).digest("base64url");
}

export class LedgeredPoster {
  readonly #options: LedgeredPosterOptions;

  constructor(options: LedgeredPosterOptions) {
    this.#options = options;
  }

  /**
   * Post `message` under `key` (or update it in place when it was posted before and shows
   * something else now). Returns the message's ts. Used for cards, thread replies, reminders.
   *
   * Once, across crashes too: the key is claimed in the ledger before the post, and the message
   * carries it as message metadata. A claim without a ts means a process died between Slack's
   * answer and the ledger write; the next attempt looks for the message in the channel (or
   * thread) before it posts again.
   */
  async upsert(key: string, runId: string | null, channel: string, message: SlackMessage, threadTs?: string): Promise<string> {
    const { ledger, client, clock } = this.#options;
    const contentHash = hashOf(message);
    const existing = await ledger.getMessage(key);
    if (existing?.ts) {
      if (existing.contentHash === contentHash) return existing.ts;
      await client.chat.update({ channel: existing.channel, ts: existing.ts, text: message.text, blocks: message.blocks });
      await ledger.recordMessage({ key, runId, channel: existing.channel, ts: existing.ts, contentHash, at: clock.now() });
      return existing.ts;
    }
    if (existing) {
      const found = await this.#findPosted(key, existing.channel, threadTs, existing.createdAt);
      if (found !== undefined) {
        // It is in Slack: record it (with no hash, so what it shows is brought up to date).
        await ledger.recordMessage({ key, runId, channel: existing.channel, ts: found, contentHash: null, at: clock.now() });
        return this.upsert(key, runId, channel, message, threadTs);
      }
    } else {
      await ledger.claimMessage({ key, runId, channel, at: clock.now() });
    }
    const posted = await client.chat.postMessage({
      channel,
      text: message.text,
      blocks: message.blocks,
      unfurl_links: false,
      unfurl_media: false,
      metadata: { event_type: MESSAGE_KEY_EVENT, event_payload: { key } },
      ...(threadTs === undefined ? {} : { thread_ts: threadTs }),
    });
    const ts = posted.ts;
    if (!ts) throw new Error(`Slack accepted the message in ${channel} but returned no ts`);
    await ledger.recordMessage({ key, runId, channel: posted.channel ?? channel, ts, contentHash, at: clock.now() });
    return ts;
  }

  /**
   * Upload a file once per `key` (files.uploadV2) into a channel or thread. The ledger records
   * the file id as the message's `ts`, so a repeated step finds the upload instead of sending
   * the file twice. Returns the file id.
   */
  async uploadOnce(key: string, runId: string, channel: string, file: FileToUpload, threadTs?: string): Promise<string> {
    const { ledger, client, clock } = this.#options;
    const existing = await ledger.getMessage(key);
    if (existing?.ts) return existing.ts;
    const common = {
      filename: file.filename,
      title: file.title,
      content: file.content,
      ...(file.comment === undefined ? {} : { initial_comment: file.comment }),
    };
    const uploaded = await client.filesUploadV2(
      threadTs === undefined ? { ...common, channel_id: channel } : { ...common, channel_id: channel, thread_ts: threadTs },
    );
    const fileId = uploadedFileId(uploaded);
    if (!fileId) throw new Error(`Slack accepted the upload of ${file.filename} but returned no file id`);
    await ledger.recordMessage({ key, runId, channel, ts: fileId, contentHash: null, at: clock.now() });
    return fileId;
  }

  /** A message a stopped process may have posted under `key`; undefined means post it (again). */
  async #findPosted(key: string, channel: string, threadTs: string | undefined, claimedAt: number): Promise<string | undefined> {
    const { client, logger } = this.#options;
    try {
      return await findPostedMessage(client, { key, channel, threadTs, postedAfter: claimedAt });
    } catch (error) {
      logger.warn(
        { key, channel, error: slackErrorCode(error) ?? describeError(error) },
        "could not look for a message a stopped process may have posted; posting it (add the channels:history and groups:history scopes to avoid a repeat)",
      );
      return undefined;
    }
  }
}

/** files.uploadV2 answers `{ files: [{ files: [{ id }] }] }` (one completion per upload job). */
function uploadedFileId(answer: unknown): string | undefined {
  const completions = (answer as { files?: Array<{ files?: Array<{ id?: string }> }> }).files ?? [];
  return completions.flatMap((completion) => completion.files ?? []).find((file) => typeof file.id === "string")?.id;
}
