import { REJECT_CALLBACK_ID } from "../../src/slack/modals/decision-modals.js";
import { APPROVAL_ACTION_IDS } from "../../src/slack/render/approval-buttons.js";

/**
 * Payloads baton's listeners handle, each lacking one field Slack always sends (block_actions:
 * https://docs.slack.dev/reference/interaction-payloads/block_actions-payload ; view_submission:
 * https://docs.slack.dev/reference/interaction-payloads/view-interactions-payload ; slash
 * commands: https://docs.slack.dev/interactivity/implementing-slash-commands ; app_home_opened:
 * https://docs.slack.dev/reference/events/app_home_opened), for the HTTP and Socket Mode tests
 * alike. Each starts from a payload that would decide, start or publish something if it passed.
 */

export type EnvelopeKind = "interactive" | "slash_commands" | "events_api";

export interface MalformedCase {
  name: string;
  kind: EnvelopeKind;
  payload: Record<string, unknown>;
  /** What the guard's warning says is wrong (the start of it: zod's wording follows for a wrong type). */
  problem: string;
}

export interface Originals {
  approvalId: string;
  channel: string;
  ts: string;
  userId: string;
  responseUrl: string;
}

export function approveClick(originals: Originals): Record<string, unknown> {
  return {
    type: "block_actions",
    team: { id: "T0FAKE", domain: "fake" },
    user: { id: originals.userId, username: "someone", team_id: "T0FAKE" },
    api_app_id: "A0BATON",
    token: "deprecated-verification-token",
    container: { type: "message", message_ts: originals.ts, channel_id: originals.channel, is_ephemeral: false },
    trigger_id: "1.7.trigger",
    channel: { id: originals.channel, name: "ops" },
    message: { type: "message", ts: originals.ts, text: "" },
    response_url: originals.responseUrl,
    actions: [{ type: "button", action_id: APPROVAL_ACTION_IDS.approve, block_id: "baton.approval", value: originals.approvalId, action_ts: "1.7" }],
  };
}

export function runCommand(originals: Originals): Record<string, string> {
  return {
    token: "deprecated-verification-token",
    team_id: "T0FAKE",
    team_domain: "fake",
    channel_id: originals.channel,
    channel_name: "ops",
    user_id: originals.userId,
    user_name: "someone",
    command: "/baton",
    text: "run change-plan restart the api pods",
    api_app_id: "A0BATON",
    response_url: originals.responseUrl,
    trigger_id: "1.8.trigger",
  };
}

export function rejectSubmission(originals: Originals): Record<string, unknown> {
  return {
    type: "view_submission",
    team: { id: "T0FAKE", domain: "fake" },
    user: { id: originals.userId, username: "someone", team_id: "T0FAKE" },
    api_app_id: "A0BATON",
    trigger_id: "1.9.trigger",
    view: {
      id: "V0MODAL",
      type: "modal",
      callback_id: REJECT_CALLBACK_ID,
      private_metadata: originals.approvalId,
      state: { values: { reason: { reason: { type: "plain_text_input", value: "no" } } } },
      hash: "1.hash",
      blocks: [{ type: "input", block_id: "reason" }],
    },
  };
}

export function homeOpened(originals: Originals): Record<string, unknown> {
  return {
    type: "event_callback",
    team_id: "T0FAKE",
    api_app_id: "A0BATON",
    event: { type: "app_home_opened", user: originals.userId, channel: "D0HOME", tab: "home", event_ts: "1.1" },
    event_id: "Ev0SHAPES",
    event_time: 1,
  };
}

function without(value: Record<string, unknown>, key: string): Record<string, unknown> {
  const { [key]: _dropped, ...rest } = value;
  return rest;
}

export function malformedCases(originals: Originals): MalformedCase[] {
  const click = approveClick(originals);
  const [action] = click["actions"] as Array<Record<string, unknown>>;
  const command = runCommand(originals);
  const submission = rejectSubmission(originals);
  const view = submission["view"] as Record<string, unknown>;
  const home = homeOpened(originals);
  return [
    { name: "an Approve click with no user", kind: "interactive", payload: without(click, "user"), problem: "user is missing" },
    { name: "an Approve click whose user has no id", kind: "interactive", payload: { ...click, user: { name: "x" } }, problem: "user.id is missing" },
    { name: "an Approve click with no team", kind: "interactive", payload: without(click, "team"), problem: "team is missing" },
    { name: "an Approve click with no actions", kind: "interactive", payload: without(click, "actions"), problem: "actions is missing" },
    {
      name: "an Approve click whose actions are not an array",
      kind: "interactive",
      payload: { ...click, actions: action },
      problem: "actions is not what Slack sends",
    },
    {
      name: "an Approve click with an empty actions array",
      kind: "interactive",
      payload: { ...click, actions: [] },
      problem: "actions is not what Slack sends",
    },
    {
      name: "an Approve click whose first action has no action_id",
      kind: "interactive",
      payload: { ...click, actions: [without(action ?? {}, "action_id"), action] },
      problem: "actions.0.action_id is missing",
    },
    { name: "an Approve click with no trigger_id", kind: "interactive", payload: without(click, "trigger_id"), problem: "trigger_id is missing" },
    {
      name: "an Approve click that also carries an event (Bolt takes it for an event)",
      kind: "interactive",
      payload: { ...click, event: home["event"] },
      problem: "type is not what Slack sends",
    },
    { name: "a Reject form submission with no view", kind: "interactive", payload: without(submission, "view"), problem: "view is missing" },
    { name: "a Reject form submission with no user", kind: "interactive", payload: without(submission, "user"), problem: "user is missing" },
    {
      name: "a Reject form whose view has no state",
      kind: "interactive",
      payload: { ...submission, view: without(view, "state") },
      problem: "view.state is missing",
    },
    {
      name: "a Reject form whose view has no blocks",
      kind: "interactive",
      payload: { ...submission, view: without(view, "blocks") },
      problem: "view.blocks is missing",
    },
    { name: "/baton run with no user_id", kind: "slash_commands", payload: without(command, "user_id"), problem: "user_id is missing" },
    { name: "/baton run with no text", kind: "slash_commands", payload: without(command, "text"), problem: "text is missing" },
    { name: "/baton run with no channel_id", kind: "slash_commands", payload: without(command, "channel_id"), problem: "channel_id is missing" },
    { name: "/baton run with no response_url", kind: "slash_commands", payload: without(command, "response_url"), problem: "response_url is missing" },
    {
      name: "app_home_opened with no user",
      kind: "events_api",
      payload: { ...home, event: without(home["event"] as Record<string, unknown>, "user") },
      problem: "event.user is missing",
    },
    {
      name: "an event_callback whose event is a string",
      kind: "events_api",
      payload: { ...home, event: "app_home_opened" },
      problem: "event is not what Slack sends",
    },
  ];
}
