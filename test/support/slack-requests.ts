import { createHmac } from "node:crypto";

/**
 * Requests as Slack sends them to an app's HTTP endpoint, signed with the app's signing secret
 * (`v0=` HMAC-SHA256 over `v0:<timestamp>:<body>`), for driving the real Bolt HTTP receiver.
 */

export interface SlackPost {
  body: string;
  headers: Record<string, string>;
}

export function signBody(body: string, signingSecret: string, timestampSeconds = Math.floor(Date.now() / 1000)): Record<string, string> {
  const signature = createHmac("sha256", signingSecret)
    .update(`v0:${String(timestampSeconds)}:${body}`)
    .digest("hex");
  return { "x-slack-request-timestamp": String(timestampSeconds), "x-slack-signature": `v0=${signature}` };
}

function formPost(fields: Record<string, string>, signingSecret: string, timestampSeconds?: number): SlackPost {
  const body = new URLSearchParams(fields).toString();
  return { body, headers: { "content-type": "application/x-www-form-urlencoded", ...signBody(body, signingSecret, timestampSeconds) } };
}

export interface SlashCommandFields {
  text: string;
  userId?: string;
  channelId?: string;
  triggerId?: string;
  responseUrl: string;
}

/** `/baton <text>` as a form body. */
export function slashCommand(fields: SlashCommandFields, signingSecret: string, timestampSeconds?: number): SlackPost {
  return formPost(
    {
      token: "deprecated-verification-token",
      team_id: "T0FAKE",
      team_domain: "fake",
      channel_id: fields.channelId ?? "C0RUNS",
      channel_name: "ops",
      user_id: fields.userId ?? "U0ALICE",
      user_name: "alice",
      command: "/baton",
      text: fields.text,
      api_app_id: "A0BATON",
      response_url: fields.responseUrl,
      trigger_id: fields.triggerId ?? "1.2.trigger",
    },
    signingSecret,
    timestampSeconds,
  );
}

export interface ButtonClickFields {
  actionId: string;
  value: string;
  userId?: string;
  channelId?: string;
  messageTs?: string;
  triggerId?: string;
  /** Default `baton.approval` (a card); lists use `baton.approval.<approval id>`. */
  blockId?: string;
  responseUrl: string;
}

/** A `block_actions` payload for one button click on a message. */
export function buttonClick(fields: ButtonClickFields, signingSecret: string, timestampSeconds?: number): SlackPost {
  const payload = {
    type: "block_actions",
    team: { id: "T0FAKE", domain: "fake" },
    user: { id: fields.userId ?? "U0ALICE", username: "alice", team_id: "T0FAKE" },
    api_app_id: "A0BATON",
    token: "deprecated-verification-token",
    container: { type: "message", message_ts: fields.messageTs ?? "1.1", channel_id: fields.channelId ?? "C0RUNS", is_ephemeral: false },
    trigger_id: fields.triggerId ?? "1.2.trigger",
    channel: { id: fields.channelId ?? "C0RUNS", name: "ops" },
    message: { type: "message", ts: fields.messageTs ?? "1.1", text: "" },
    response_url: fields.responseUrl,
    actions: [{ type: "button", action_id: fields.actionId, block_id: fields.blockId ?? "baton.approval", value: fields.value, action_ts: "1.3" }],
  };
  return formPost({ payload: JSON.stringify(payload) }, signingSecret, timestampSeconds);
}

/**
 * A button click on the App Home tab: `container` is the view, and Slack sends no
 * `response_url` (block_actions payload reference: fields depend on the source).
 */
export function homeClick(
  fields: { actionId: string; value: string; blockId: string; userId: string; viewId?: string; triggerId?: string },
  signingSecret: string,
  timestampSeconds?: number,
): SlackPost {
  const viewId = fields.viewId ?? "V0HOME";
  const payload = {
    type: "block_actions",
    team: { id: "T0FAKE", domain: "fake" },
    user: { id: fields.userId, username: "someone", team_id: "T0FAKE" },
    api_app_id: "A0BATON",
    token: "deprecated-verification-token",
    container: { type: "view", view_id: viewId },
    trigger_id: fields.triggerId ?? "1.5.trigger",
    view: { id: viewId, team_id: "T0FAKE", type: "home", blocks: [], private_metadata: "", callback_id: "", hash: "1.home" },
    actions: [{ type: "button", action_id: fields.actionId, block_id: fields.blockId, value: fields.value, action_ts: "1.6" }],
  };
  return formPost({ payload: JSON.stringify(payload) }, signingSecret, timestampSeconds);
}

export interface ViewSubmissionFields {
  callbackId: string;
  privateMetadata: string;
  stateValues: Record<string, Record<string, unknown>>;
  userId?: string;
}

/** A `view_submission` payload for a modal. */
export function viewSubmission(fields: ViewSubmissionFields, signingSecret: string, timestampSeconds?: number): SlackPost {
  const payload = {
    type: "view_submission",
    team: { id: "T0FAKE", domain: "fake" },
    user: { id: fields.userId ?? "U0ALICE", username: "alice", team_id: "T0FAKE" },
    api_app_id: "A0BATON",
    token: "deprecated-verification-token",
    trigger_id: "1.4.trigger",
    view: {
      id: "V0MODAL",
      team_id: "T0FAKE",
      type: "modal",
      callback_id: fields.callbackId,
      private_metadata: fields.privateMetadata,
      state: { values: fields.stateValues },
      hash: "1.hash",
      title: { type: "plain_text", text: "baton" },
      blocks: [],
    },
  };
  return formPost({ payload: JSON.stringify(payload) }, signingSecret, timestampSeconds);
}

/** POST a signed request to the receiver; resolves with the status and body text. */
export async function postToSlackEndpoint(url: string, post: SlackPost): Promise<{ status: number; text: string; elapsedMs: number }> {
  const started = performance.now();
  const response = await fetch(url, { method: "POST", headers: post.headers, body: post.body });
  const text = await response.text();
  return { status: response.status, text, elapsedMs: performance.now() - started };
}
