import { webApi } from "@slack/bolt";
import { describeError } from "../core/errors.js";
import type { Logger } from "../core/ports.js";
import { slackErrorCode, slackLogger } from "./slack-web-client.js";

/**
 * Read-only questions `baton doctor` asks the Slack Web API, answered as plain data (no Slack
 * types leave this folder). Each method is one documented call:
 * - `auth.test` (no scope): is the token valid, who is the bot; every Web API answer carries the
 *   token's scopes in the `x-oauth-scopes` header (docs: "Scopes and permissions"), which the
 *   client exposes as `response_metadata.scopes`;
 * - `conversations.info` (`channels:read`, `groups:read`): does the channel exist, is it private,
 *   archived, is the bot a member (`is_member`); `channel_not_found` otherwise;
 * - `users.info` (`users:read`): `user_not_found` for an unknown user;
 * - `usergroups.users.list` (`usergroups:read`): `no_such_subteam` for an unknown group.
 * A refused call comes back as `{ error, needed }` (`missing_scope` names the scope `needed`).
 */

export type SlackAnswer<Value> = ({ ok: true } & Value) | { ok: false; error: string; needed?: string };

export interface SlackIdentity {
  userId: string;
  team: string;
  /** The token's scopes, from the `x-oauth-scopes` header; undefined when the answer had none. */
  scopes: string[] | undefined;
}

export interface SlackChannelFacts {
  name: string;
  isPrivate: boolean;
  isArchived: boolean;
  isMember: boolean;
}

export class SlackWorkspaceProbe {
  readonly #client: InstanceType<typeof webApi.WebClient>;

  constructor(options: { token: string; apiUrl: string | undefined; logger: Logger }) {
    this.#client = new webApi.WebClient(options.token, {
      logger: slackLogger(options.logger),
      ...(options.apiUrl === undefined ? {} : { slackApiUrl: options.apiUrl }),
      // A check answers within seconds or says why: one quick retry, no waiting out long 429s.
      retryConfig: { retries: 1, factor: 1, minTimeout: 200, maxTimeout: 500 },
      rejectRateLimitedCalls: true,
      timeout: 10_000,
    });
  }

  async identity(): Promise<SlackAnswer<SlackIdentity>> {
    return this.#ask(async () => {
      const answer = await this.#client.auth.test();
      return { userId: answer.user_id ?? "", team: answer.team ?? "", scopes: answer.response_metadata?.scopes };
    });
  }

  async channel(channelId: string): Promise<SlackAnswer<SlackChannelFacts>> {
    return this.#ask(async () => {
      const { channel } = await this.#client.conversations.info({ channel: channelId });
      return {
        name: channel?.name ?? channelId,
        isPrivate: channel?.is_private === true,
        isArchived: channel?.is_archived === true,
        isMember: channel?.is_member === true,
      };
    });
  }

  async user(userId: string): Promise<SlackAnswer<{ deleted: boolean; isBot: boolean }>> {
    return this.#ask(async () => {
      const { user } = await this.#client.users.info({ user: userId });
      return { deleted: user?.deleted === true, isBot: user?.is_bot === true };
    });
  }

  async userGroup(groupId: string): Promise<SlackAnswer<{ memberCount: number }>> {
    return this.#ask(async () => {
      const { users } = await this.#client.usergroups.users.list({ usergroup: groupId });
      return { memberCount: users?.length ?? 0 };
    });
  }

  async #ask<Value>(call: () => Promise<Value>): Promise<SlackAnswer<Value>> {
    try {
      return { ok: true, ...(await call()) };
    } catch (error) {
      const data = typeof error === "object" && error !== null ? (error as { data?: { needed?: unknown } }).data : undefined;
      const needed = typeof data?.needed === "string" ? data.needed : undefined;
      return { ok: false, error: slackErrorCode(error) ?? describeError(error), ...(needed === undefined ? {} : { needed }) };
    }
  }
}
