import { REJECT_CALLBACK_ID, REQUEST_CHANGES_CALLBACK_ID } from "./modals/decision-modals.js";
import { EDIT_CALLBACK_ID } from "./modals/edit-modal.js";
import { RFP_CALLBACK_ID } from "./modals/rfp-modal.js";
import { RUN_CALLBACK_ID } from "./modals/run-input-modal.js";
import { APPROVAL_ACTION_IDS } from "./render/approval-buttons.js";
import { RETRY_ACTION_ID } from "./render/progress-card.js";
import type { SlackBody } from "./request-rules.js";

/**
 * What baton's Bolt listeners handle: the `/baton` command, the approval buttons, the modals'
 * submissions and App Home opening. Anything else Slack sends (a click inside a modal, an event
 * baton did not register) is acknowledged by the request guard at once.
 */

// Every app.action() baton registers must be here, or the guard answers its clicks itself.
const ACTION_IDS: ReadonlySet<unknown> = new Set([...Object.values(APPROVAL_ACTION_IDS), RETRY_ACTION_ID]);
const CALLBACK_IDS: ReadonlySet<unknown> = new Set([EDIT_CALLBACK_ID, REQUEST_CHANGES_CALLBACK_ID, REJECT_CALLBACK_ID, RUN_CALLBACK_ID, RFP_CALLBACK_ID]);
const EVENT_TYPES: ReadonlySet<unknown> = new Set(["app_home_opened"]);

const field = (value: unknown, key: string): unknown => (typeof value === "object" && value !== null ? (value as Record<string, unknown>)[key] : undefined);

export function isHandledSlackRequest(body: SlackBody): boolean {
  if (typeof body["command"] === "string") return body["command"] === "/baton";
  switch (body["type"]) {
    case "block_actions": {
      const actions = body["actions"];
      return Array.isArray(actions) && actions.some((action) => ACTION_IDS.has(field(action, "action_id")));
    }
    case "view_submission":
      return CALLBACK_IDS.has(field(body["view"], "callback_id"));
    case "event_callback":
      return EVENT_TYPES.has(field(body["event"], "type"));
    default:
      return false;
  }
}
