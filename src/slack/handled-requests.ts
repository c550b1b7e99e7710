import { REJECT_CALLBACK_ID, REQUEST_CHANGES_CALLBACK_ID } from "./modals/decision-modals.js";
import { EDIT_CALLBACK_ID } from "./modals/edit-modal.js";
import { RFP_CALLBACK_ID } from "./modals/rfp-modal.js";
import { RUN_CALLBACK_ID } from "./modals/run-input-modal.js";
import { APPROVAL_ACTION_IDS } from "./render/approval-buttons.js";
import { RETRY_ACTION_ID } from "./render/progress-card.js";
import { boltKindOf } from "./payload-shapes.js";
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

/** Decided in Bolt's order (`boltKindOf`), and by the first action only: Bolt dispatches `actions[0]`. */
export function isHandledSlackRequest(body: SlackBody): boolean {
  switch (boltKindOf(body)) {
    case "event":
      return body["type"] === "event_callback" && EVENT_TYPES.has(field(body["event"], "type"));
    case "command":
      return body["command"] === "/baton";
    case "action": {
      const actions = body["actions"];
      return body["type"] === "block_actions" && Array.isArray(actions) && ACTION_IDS.has(field(actions[0], "action_id"));
    }
    case "view":
      return body["type"] === "view_submission" && CALLBACK_IDS.has(field(body["view"], "callback_id"));
    default:
      return false;
  }
}
