import type { ChainDefinition } from "../core/chain.js";
import { MANIFEST_BOT_SCOPES } from "../slack/manifest-scopes.js";
import type { SlackAnswer, SlackChannelFacts, SlackIdentity } from "../slack/workspace-probe.js";
import { failed, passed, warned, type CheckResult } from "./check-result.js";

/**
 * Slack: the token, the scopes the manifest asks for, every configured channel (exists, baton
 * can post there) and every configured approver (the user or user group exists).
 */

/** The questions the checks ask Slack (`SlackWorkspaceProbe`). */
export interface SlackProbe {
  identity(): Promise<SlackAnswer<SlackIdentity>>;
  channel(channelId: string): Promise<SlackAnswer<SlackChannelFacts>>;
  user(userId: string): Promise<SlackAnswer<{ deleted: boolean; isBot: boolean }>>;
  userGroup(groupId: string): Promise<SlackAnswer<{ memberCount: number }>>;
}

/** What the Slack checks look at in the configuration. */
export interface SlackSettings {
  defaultChannel: string | undefined;
  incidentChannel: string | undefined;
  defaultApprovers: ReadonlyArray<string>;
  escalateTo: ReadonlyArray<string>;
  oncall: ReadonlyArray<string>;
}

const REINSTALL =
  "Add it under OAuth & Permissions → Bot Token Scopes (or paste manifest.yml into the app's manifest again), then reinstall the app to the workspace.";

export async function checkSlack(probe: SlackProbe, settings: SlackSettings, chains: ReadonlyArray<ChainDefinition>): Promise<CheckResult[]> {
  const identity = await probe.identity();
  if (!identity.ok) {
    const fix =
      identity.error === "invalid_auth" || identity.error === "not_authed" || identity.error === "token_revoked" || identity.error === "account_inactive"
        ? "Copy the Bot User OAuth Token (xoxb-…) from the app's OAuth & Permissions page into SLACK_BOT_TOKEN; reinstall the app if it was uninstalled."
        : "Check SLACK_API_URL (unset it for Slack's own) and that Slack is reachable from here.";
    return [failed("slack", "Slack token (SLACK_BOT_TOKEN)", `auth.test answered ${identity.error}`, fix)];
  }
  const results = [passed("slack", "Slack token (SLACK_BOT_TOKEN)", `valid: bot ${identity.userId} in ${identity.team}`)];
  const scopes = identity.scopes;
  if (scopes === undefined) {
    results.push(
      warned(
        "slack",
        "Slack scopes",
        "Slack's answer did not list the token's scopes (x-oauth-scopes)",
        "Nothing to do unless posting fails; compare the app's scopes with manifest.yml by hand.",
      ),
    );
  } else {
    const missing = MANIFEST_BOT_SCOPES.filter((scope) => !scopes.includes(scope));
    results.push(
      missing.length === 0
        ? passed("slack", "Slack scopes", `all ${String(MANIFEST_BOT_SCOPES.length)} the manifest asks for are granted`)
        : failed("slack", "Slack scopes", `missing ${missing.join(", ")}`, REINSTALL.replace("Add it", missing.length === 1 ? "Add it" : "Add them")),
    );
  }
  const canPostPublic = scopes === undefined || scopes.includes("chat:write.public");
  for (const [channelId, sources] of configuredChannels(settings, chains)) results.push(await checkChannel(probe, channelId, sources, canPostPublic));
  for (const [id, sources] of configuredApprovers(settings, chains)) results.push(await checkApprover(probe, id, sources));
  return results;
}

async function checkChannel(probe: SlackProbe, channelId: string, sources: string[], canPostPublic: boolean): Promise<CheckResult> {
  const checked = `Slack channel ${channelId} (${namesOf(sources)})`;
  const answer = await probe.channel(channelId);
  if (!answer.ok) {
    if (answer.error === "missing_scope")
      return failed("slack", checked, `Slack refused conversations.info: missing_scope ${answer.needed ?? ""}`.trim(), REINSTALL);
    if (answer.error === "channel_not_found") {
      return failed(
        "slack",
        checked,
        "no such channel that baton can see",
        `Use the channel's id (channel details → About, at the bottom) in ${namesOf(sources)}; for a private channel, invite baton first (/invite @baton).`,
      );
    }
    return failed("slack", checked, `conversations.info answered ${answer.error}`, "Check the channel id and try again.");
  }
  if (answer.isArchived)
    return failed(
      "slack",
      checked,
      `#${answer.name} is archived: nothing can be posted there`,
      `Unarchive #${answer.name}, or set ${namesOf(sources)} to another channel.`,
    );
  if (answer.isMember) return passed("slack", checked, `#${answer.name}: baton is a member and can post`);
  if (answer.isPrivate)
    return failed("slack", checked, `#${answer.name} is private and baton is not a member`, `Invite baton to #${answer.name} (/invite @baton).`);
  if (canPostPublic) return passed("slack", checked, `#${answer.name}: public; baton posts with chat:write.public without joining`);
  return failed(
    "slack",
    checked,
    `#${answer.name}: baton is not a member and lacks chat:write.public`,
    `Invite baton to #${answer.name} (/invite @baton), or grant chat:write.public and reinstall the app.`,
  );
}

async function checkApprover(probe: SlackProbe, id: string, sources: string[]): Promise<CheckResult> {
  if (/^S[A-Z0-9]+$/.test(id)) {
    const checked = `Slack user group ${id} (${namesOf(sources)})`;
    const answer = await probe.userGroup(id);
    if (answer.ok)
      return answer.memberCount > 0
        ? passed("slack", checked, `exists with ${String(answer.memberCount)} member(s)`)
        : warned("slack", checked, "exists but has no members: nobody in it can approve", "Add people to the group, or name users instead.");
    if (answer.error === "missing_scope")
      return failed("slack", checked, `Slack refused usergroups.users.list: missing_scope ${answer.needed ?? ""}`.trim(), REINSTALL);
    return failed(
      "slack",
      checked,
      answer.error === "no_such_subteam" ? "no such user group" : `usergroups.users.list answered ${answer.error}`,
      `Use the group's id (S…; in Slack: People → User groups → the group → Copy group ID) in ${namesOf(sources)}.`,
    );
  }
  const checked = `Slack user ${id} (${namesOf(sources)})`;
  if (!/^[UW][A-Z0-9]+$/.test(id))
    return failed(
      "slack",
      checked,
      "not a Slack user id (U…/W…) or user group id (S…)",
      `Use member ids (profile → ⋮ → Copy member ID) in ${namesOf(sources)}, not names.`,
    );
  const answer = await probe.user(id);
  if (answer.ok)
    return answer.deleted
      ? failed("slack", checked, "the account is deactivated", `Remove ${id} from ${namesOf(sources)}.`)
      : passed("slack", checked, "exists");
  if (answer.error === "missing_scope") return failed("slack", checked, `Slack refused users.info: missing_scope ${answer.needed ?? ""}`.trim(), REINSTALL);
  return failed(
    "slack",
    checked,
    answer.error === "user_not_found" ? "no such user in this workspace" : `users.info answered ${answer.error}`,
    `Use member ids (profile → ⋮ → Copy member ID) in ${namesOf(sources)}.`,
  );
}

/** Channel id → the settings that name it. */
function configuredChannels(settings: SlackSettings, chains: ReadonlyArray<ChainDefinition>): Map<string, string[]> {
  const channels = new Map<string, string[]>();
  const add = (id: string | undefined, source: string): void => {
    if (id !== undefined) channels.set(id, [...(channels.get(id) ?? []), source]);
  };
  add(settings.defaultChannel, "BATON_SLACK_CHANNEL");
  add(settings.incidentChannel, "BATON_INCIDENT_CHANNEL");
  for (const chain of chains) add(chain.channel, `chain ${chain.id}`);
  return channels;
}

/** User or group id → the settings that name it. */
function configuredApprovers(settings: SlackSettings, chains: ReadonlyArray<ChainDefinition>): Map<string, string[]> {
  const approvers = new Map<string, string[]>();
  const add = (ids: ReadonlyArray<string> | undefined, source: string): void => {
    for (const id of ids ?? []) {
      const sources = approvers.get(id) ?? [];
      if (!sources.includes(source)) approvers.set(id, [...sources, source]);
    }
  };
  add(settings.defaultApprovers, "BATON_APPROVERS");
  add(settings.escalateTo, "BATON_ESCALATE_TO");
  add(settings.oncall, "BATON_ONCALL");
  for (const chain of chains) {
    add(chain.approvers, `chain ${chain.id}`);
    add(chain.approvalReminders.escalateTo, `chain ${chain.id}`);
    for (const step of chain.steps) add(step.approval?.approvers, `chain ${chain.id}`);
  }
  return approvers;
}

/** Where a channel or person is configured, short enough for one line: every chain that inherits the default approvers is not worth listing. */
function namesOf(sources: ReadonlyArray<string>): string {
  const chains = sources.filter((source) => source.startsWith("chain "));
  if (chains.length <= 2) return sources.join(", ");
  const others = sources.filter((source) => !source.startsWith("chain "));
  return [...others, `${String(chains.length)} chains`].join(", ");
}
