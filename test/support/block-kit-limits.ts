import type { RecordedSlackCall } from "./fake-slack-server.js";

/**
 * Slack's Block Kit limits, checked on what baton actually sent (the fake Slack's recorded
 * calls): Slack rejects a message or view that breaks one with `invalid_blocks`, which in
 * production would be a card that never appears. Returns every violation found, by path.
 */

type Json = unknown;

const isObject = (value: Json): value is Record<string, Json> => typeof value === "object" && value !== null && !Array.isArray(value);
const textOf = (value: Json): string | undefined => (isObject(value) && typeof value["text"] === "string" ? value["text"] : undefined);

function checkElement(element: Json, path: string, problems: string[]): void {
  if (!isObject(element)) return;
  const type = element["type"];
  const check = (condition: boolean, message: string): void => {
    if (!condition) problems.push(`${path}: ${message}`);
  };
  if (typeof element["action_id"] === "string") check(element["action_id"].length <= 255, "action_id over 255 characters");
  if (type === "button") {
    check((textOf(element["text"]) ?? "").length <= 75, "button text over 75 characters");
    if (typeof element["value"] === "string") check(element["value"].length <= 2000, "button value over 2000 characters");
  }
  if (type === "plain_text_input" && typeof element["initial_value"] === "string")
    check(element["initial_value"].length <= 3000, "text input initial_value over 3000 characters");
  if (type === "static_select" && Array.isArray(element["options"])) {
    check(element["options"].length <= 100, "more than 100 options");
    for (const option of element["options"]) {
      check((textOf(isObject(option) ? option["text"] : undefined) ?? "").length <= 75, "option text over 75 characters");
      check(String(isObject(option) ? option["value"] : "").length <= 150, "option value over 150 characters");
    }
  }
}

function checkBlock(block: Json, path: string, problems: string[]): void {
  if (!isObject(block)) return;
  const check = (condition: boolean, message: string): void => {
    if (!condition) problems.push(`${path}: ${message}`);
  };
  if (typeof block["block_id"] === "string") check(block["block_id"].length <= 255, "block_id over 255 characters");
  switch (block["type"]) {
    case "section": {
      const text = textOf(block["text"]);
      if (text !== undefined) check(text.length <= 3000, `section text of ${String(text.length)} characters (limit 3000)`);
      const fields = block["fields"];
      if (Array.isArray(fields)) {
        check(fields.length <= 10, "more than 10 fields");
        fields.forEach((field, index) => check((textOf(field) ?? "").length <= 2000, `field ${String(index)} over 2000 characters`));
      }
      checkElement(block["accessory"], `${path}.accessory`, problems);
      break;
    }
    case "header":
      check((textOf(block["text"]) ?? "").length <= 150, "header text over 150 characters");
      break;
    case "context": {
      const elements = block["elements"];
      if (Array.isArray(elements)) {
        check(elements.length <= 10, "more than 10 context elements");
        elements.forEach((element, index) => check((textOf(element) ?? "").length <= 3000, `context element ${String(index)} over 3000 characters`));
      }
      break;
    }
    case "actions": {
      const elements = block["elements"];
      if (Array.isArray(elements)) {
        check(elements.length <= 25, "more than 25 action elements");
        elements.forEach((element, index) => checkElement(element, `${path}.elements[${String(index)}]`, problems));
      }
      break;
    }
    case "input":
      check((textOf(block["label"]) ?? "").length <= 2000, "input label over 2000 characters");
      checkElement(block["element"], `${path}.element`, problems);
      break;
    default:
      break;
  }
}

export function blockKitViolations(call: RecordedSlackCall): string[] {
  const problems: string[] = [];
  const args = call.args;
  if (call.method === "chat.postMessage" || call.method === "chat.update" || call.method === "chat.postEphemeral" || call.method.startsWith("response:")) {
    const blocks = args["blocks"];
    if (Array.isArray(blocks)) {
      if (blocks.length > 50) problems.push(`${call.method}: ${String(blocks.length)} blocks (limit 50)`);
      blocks.forEach((block, index) => checkBlock(block, `${call.method}.blocks[${String(index)}]`, problems));
    }
    if (typeof args["text"] === "string" && args["text"].length > 40_000) problems.push(`${call.method}: text over 40000 characters`);
  }
  if (call.method === "views.open" || call.method === "views.publish" || call.method === "views.update" || call.method === "views.push") {
    const view = args["view"];
    if (isObject(view)) {
      const blocks = view["blocks"];
      if (Array.isArray(blocks)) {
        if (blocks.length > 100) problems.push(`${call.method}: ${String(blocks.length)} blocks (limit 100)`);
        blocks.forEach((block, index) => checkBlock(block, `${call.method}.view.blocks[${String(index)}]`, problems));
      }
      const title = textOf(view["title"]);
      if (title !== undefined && title.length > 24) problems.push(`${call.method}: modal title "${title}" over 24 characters`);
      if (typeof view["private_metadata"] === "string" && view["private_metadata"].length > 3000)
        problems.push(`${call.method}: private_metadata over 3000 characters`);
    }
  }
  return problems;
}
