import { z } from "zod";
import type { SlackBody } from "./request-rules.js";

/**
 * The fields Slack always sends in each payload baton's listeners handle, and that Bolt or those
 * listeners read without checking. A payload routed to a listener without one of them made Bolt
 * throw before any listener ran (`body.user.id`, `body.actions[0].action_id`, `body.view.…`), so
 * nothing acknowledged it, or made the listener throw (`command.text`, `view.blocks.find`).
 * Everything else is left loose: Slack adds fields, and an unknown one is no reason to refuse.
 *
 * Sources (Slack's reference pages):
 * - block_actions: https://docs.slack.dev/reference/interaction-payloads/block_actions-payload
 *   (`type`, `team`, `user`, `trigger_id`, `actions` with each action's `action_id`);
 * - view_submission: https://docs.slack.dev/reference/interaction-payloads/view-interactions-payload
 *   (`type`, `team` "Null if the app is org-installed", `user`, `view`; the view object's
 *   `id`, `callback_id`, `private_metadata`, `state.values`, `blocks`);
 * - slash commands: https://docs.slack.dev/interactivity/implementing-slash-commands
 *   (`team_id`, `channel_id`, `user_id`, `command`, `text`, `response_url`, `trigger_id`);
 * - Events API: https://docs.slack.dev/apis/events-api/ (the `event_callback` wrapper with its
 *   `event`) and https://docs.slack.dev/reference/events/app_home_opened (`type`, `user`).
 */

const SlackId = z.string().min(1);
const User = z.object({ id: SlackId });
/** Present on every interaction payload; null when the app is installed org-wide. */
const Team = z.object({ id: SlackId }).nullable();

const BlockActions = z.object({
  type: z.literal("block_actions"),
  team: Team,
  user: User,
  trigger_id: z.string(),
  actions: z.array(z.object({ action_id: z.string(), type: z.string() })).min(1),
});

const ViewSubmission = z.object({
  type: z.literal("view_submission"),
  team: Team,
  user: User,
  view: z.object({
    id: SlackId,
    callback_id: z.string(),
    private_metadata: z.string(),
    state: z.object({ values: z.record(z.string(), z.unknown()) }),
    blocks: z.array(z.object({ type: z.string() })),
  }),
});

const SlashCommand = z.object({
  command: z.string(),
  text: z.string(),
  team_id: SlackId,
  channel_id: SlackId,
  user_id: SlackId,
  response_url: z.string().min(1),
  trigger_id: z.string(),
});

const EventCallback = z.object({
  type: z.literal("event_callback"),
  event: z.object({ type: z.literal("app_home_opened"), user: SlackId }),
});

/**
 * Which kind of listener Bolt hands a body to, in Bolt's own order (`getTypeAndConversation` in
 * Bolt's helpers): a body with an `event` is an event whatever else it says, one with a
 * `command` a command, and so on. The guard must decide as Bolt will, or a body that looks like
 * a click but carries an `event` passes as a click and Bolt looks for an event listener.
 */
export type BoltKind = "event" | "command" | "options" | "action" | "shortcut" | "view" | "other";

export function boltKindOf(body: SlackBody): BoltKind {
  if (body["event"] !== undefined) return "event";
  if (body["command"] !== undefined) return "command";
  if (body["name"] !== undefined || body["type"] === "block_suggestion") return "options";
  if (body["actions"] !== undefined || body["type"] === "dialog_submission") return "action";
  if (body["type"] === "shortcut" || body["type"] === "message_action") return "shortcut";
  if (body["type"] === "view_submission" || body["type"] === "view_closed") return "view";
  return "other";
}

const SHAPES: Partial<Record<BoltKind, z.ZodType>> = { event: EventCallback, command: SlashCommand, action: BlockActions, view: ViewSubmission };

/** `actions.0.action_id`, or `(the payload)` for the top level: where a log reader should look. */
const pathOf = (path: ReadonlyArray<PropertyKey>): string => (path.length === 0 ? "(the payload)" : path.map(String).join("."));

// zod leaves the failing value out of its issues, so whether the field is absent is read here.
function valueAt(body: SlackBody, path: ReadonlyArray<PropertyKey>): unknown {
  let value: unknown = body;
  for (const key of path) {
    if (typeof value !== "object" || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/**
 * What is missing or wrong in a body a listener handles, naming the field's path; undefined when
 * it has what Slack always sends. Kinds baton has no listener for have no shape here: the guard
 * acknowledges those before asking.
 */
export function shapeProblemOf(body: SlackBody): string | undefined {
  const shape = SHAPES[boltKindOf(body)];
  if (shape === undefined) return undefined;
  const result = shape.safeParse(body);
  if (result.success) return undefined;
  const [issue] = result.error.issues;
  if (issue === undefined) return "the payload does not have the fields Slack always sends";
  const path = pathOf(issue.path);
  return valueAt(body, issue.path) === undefined ? `${path} is missing` : `${path} is not what Slack sends (${issue.message})`;
}
