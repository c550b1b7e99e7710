import { blockKitViolations } from "./block-kit-limits.js";

/**
 * What the real Web API refuses, for the fake Slack server to refuse too (with Slack's error
 * codes, HTTP 200 and `ok: false`, as the Web API answers):
 * - chat.postMessage / chat.update / chat.postEphemeral: `no_text` without `text` or `blocks`,
 *   `msg_too_long` for a `text` over 40,000 characters, and `invalid_blocks` for blocks that
 *   break Block Kit's limits (the methods' error tables on docs.slack.dev/reference/methods;
 *   the limits on each block's reference page, checked by `block-kit-limits.ts`);
 * - views.open / views.publish / views.update / views.push: `invalid_arguments` for a view that
 *   breaks them (100 blocks, a 24-character modal title, 3,000 characters of private_metadata).
 * `response_metadata.messages` says what was wrong, as Slack does for invalid blocks.
 */
export function webApiRefusal(method: string, args: Record<string, unknown>): Record<string, unknown> | undefined {
  const violations = blockKitViolations({ method, args, headers: {}, receivedAt: 0 });
  if (method === "chat.postMessage" || method === "chat.update" || method === "chat.postEphemeral") {
    const text = args["text"];
    const blocks = args["blocks"];
    if ((typeof text !== "string" || text === "") && (!Array.isArray(blocks) || blocks.length === 0)) return { ok: false, error: "no_text" };
    if (typeof text === "string" && text.length > 40_000) return { ok: false, error: "msg_too_long" };
    if (violations.length > 0) return { ok: false, error: "invalid_blocks", response_metadata: { messages: violations } };
  }
  if (method.startsWith("views.") && violations.length > 0) return { ok: false, error: "invalid_arguments", response_metadata: { messages: violations } };
  return undefined;
}
