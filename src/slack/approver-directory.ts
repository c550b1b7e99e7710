import type { Actor } from "../core/approval-rules.js";
import type { Clock, Logger } from "../core/ports.js";
import { describeError } from "../core/errors.js";
import type { SlackClient } from "./slack-web-client.js";

/**
 * Who a Slack user is, as the approval rules need it: their id and the user groups (among the
 * ones an approval names) they belong to. Resolved when the button is clicked, so a change of
 * on-call rota counts at once; member lists are cached briefly so a burst of clicks makes one
 * `usergroups.users.list` call per group.
 */

const USER_GROUP_ID = /^S[A-Z0-9]+$/;
const CACHE_MS = 60_000;

export class ApproverDirectory {
  readonly #client: SlackClient;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #members = new Map<string, { users: Set<string>; until: number }>();

  constructor(options: { client: SlackClient; clock: Clock; logger: Logger }) {
    this.#client = options.client;
    this.#clock = options.clock;
    this.#logger = options.logger;
  }

  /** The actor for `userId`, with the groups among `candidates` that they are a member of. */
  async actorFor(userId: string, candidates: ReadonlyArray<string>): Promise<Actor> {
    const groups = candidates.filter((candidate) => USER_GROUP_ID.test(candidate));
    const memberships = await Promise.all(groups.map(async (group) => ((await this.#membersOf(group)).has(userId) ? group : undefined)));
    return { id: userId, groupIds: memberships.filter((group): group is string => group !== undefined) };
  }

  async #membersOf(groupId: string): Promise<Set<string>> {
    const now = this.#clock.now();
    const cached = this.#members.get(groupId);
    if (cached && cached.until > now) return cached.users;
    try {
      const response = await this.#client.usergroups.users.list({ usergroup: groupId });
      const users = new Set(response.users ?? []);
      this.#members.set(groupId, { users, until: now + CACHE_MS });
      return users;
    } catch (error) {
      // Unknown group or missing scope: nobody is a member, and the click is refused with the
      // approver list named, which is safer than letting it through.
      this.#logger.warn({ groupId, error: describeError(error) }, "could not list a user group's members; treating it as empty");
      return cached?.users ?? new Set();
    }
  }
}
