import { z } from "zod";
import type { SlackBody } from "./request-rules.js";

/**
 * The fields Slack always sends in each payload baton's listeners handle, and that Bolt or those
 * listeners read without checking. A payload routed to a listener without one of them made Bolt
 * throw before any listener ran (`body.user.id`, `body.view.…`: a 500 over HTTP, no ack at all in
 * Socket Mode), reach no listener (`actions[0]` without baton's `action_id`: nothing acked), or
 * made the listener throw (`command.text`, `view.blocks.find`).
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

const EventCallback = z.object({ type: z.literal("event_callback"), event: z.object({ type: z.string() }) });
/** The fields of each event baton subscribes to that its listener reads, checked inside `event`. */
const EVENT_SHAPES: Readonly<Record<string, z.ZodType>> = { app_home_opened: z.object({ user: SlackId }) };

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

/**
 * The shape a body is held to: by the listener kind Bolt will give it to, and, for a body that
 * says it is a click, a submission or an event but lacks what makes Bolt see it as one (no
 * `actions`, no `event`), by what it says it is. Kinds baton has no listener for have none.
 */
function shapeFor(body: SlackBody): z.ZodType | undefined {
  switch (boltKindOf(body)) {
    case "event":
      return EventCallback;
    case "command":
      return SlashCommand;
    case "action":
    case "view":
    case "other":
      if (body["type"] === "block_actions") return BlockActions;
      if (body["type"] === "view_submission") return ViewSubmission;
      if (body["type"] === "event_callback") return EventCallback;
      return undefined;
    default:
      return undefined;
  }
}

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

function describeIssue(body: SlackBody, issue: z.core.$ZodIssue | undefined, prefix: ReadonlyArray<PropertyKey>): string {
  if (issue === undefined) return "the payload does not have the fields Slack always sends";
  const path = [...prefix, ...issue.path];
  return valueAt(body, path) === undefined ? `${pathOf(path)} is missing` : `${pathOf(path)} is not what Slack sends (${issue.message})`;
}

/**
 * What is missing or wrong in a body of a kind baton listens to, naming the field's path;
 * undefined when it has what Slack always sends (or is of a kind baton does not handle, which
 * the guard acknowledges anyway).
 */
export function shapeProblemOf(body: SlackBody): string | undefined {
  const shape = shapeFor(body);
  if (shape === undefined) return undefined;
  const result = shape.safeParse(body);
  if (!result.success) return describeIssue(body, result.error.issues[0], []);
  if (shape !== EventCallback) return undefined;
  const event = body["event"] as SlackBody;
  const eventShape = typeof event["type"] === "string" ? EVENT_SHAPES[event["type"]] : undefined;
  const eventResult = eventShape?.safeParse(event);
  return eventResult === undefined || eventResult.success ? undefined : describeIssue(body, eventResult.error.issues[0], ["event"]);
}
