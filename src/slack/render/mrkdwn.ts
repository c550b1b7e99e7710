/**
 * Slack mrkdwn pieces: escaping, mentions, links and dates. Everything that did not come from
 * baton itself (model output, what people typed, names) goes through `escapeMrkdwn`, so it can
 * neither mention (`<!channel>`) nor link (`<https://evil|x>`).
 */

/** `&`, `<` and `>` as the entities Slack asks for: the only characters it treats as control. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** A Slack user (U…, W…) or user-group (S…) id: upper-case letters and digits. */
const SLACK_ID = /^[UWS](?=[A-Z0-9]*[0-9])[A-Z0-9]+$/;
/** The same ids inside free text, where only full-length ones count (not "S3" or "W2"). */
const SLACK_ID_IN_TEXT = /\b[UWS](?=[A-Z0-9]*[0-9])[A-Z0-9]{6,}\b/g;

/** Whether `id` looks like a Slack user or user-group id. */
export function isSlackId(id: string): boolean {
  return SLACK_ID.test(id);
}

/** A user id as `<@U…>`, a group id as `<!subteam^S…>`, anything else (`cli:alice`) as text. */
export function mention(id: string): string {
  if (!isSlackId(id)) return escapeMrkdwn(id);
  return id.startsWith("S") ? `<!subteam^${id}>` : `<@${id}>`;
}

/** Several ids, as mentions, separated by commas. */
export function mentions(ids: ReadonlyArray<string>): string {
  return ids.map(mention).join(", ");
}

/** Every full-length Slack id in already-escaped `text` turned into a mention. */
export function mentionIdsIn(escapedText: string): string {
  return escapedText.replace(SLACK_ID_IN_TEXT, (id) => mention(id));
}

/** A time Slack shows in each reader's own time zone, with a UTC fallback for old clients. */
export function slackDate(at: number): string {
  const fallback = new Date(at).toISOString().replace("T", " ").replace(/:\d\d\.\d+Z$/, " UTC");
  return `<!date^${String(Math.floor(at / 1000))}^{date_short_pretty} {time}|${fallback}>`;
}

/** A link, only for https URLs Slack's syntax cannot be broken out of; otherwise just the label. */
export function link(url: string, label: string): string {
  if (!/^https:\/\/[^\s<>|]+$/.test(url)) return escapeMrkdwn(label);
  return `<${url.replace(/&/g, "&amp;")}|${escapeMrkdwn(label)}>`;
}

/** mrkdwn reduced to what a notification shows: mentions, links and dates as their text. */
export function plainFallback(mrkdwnText: string): string {
  return mrkdwnText.replace(/<!date\^[^|>]*\|([^>]*)>/g, "$1").replace(/<(https:[^|>]*)\|([^>]*)>/g, "$2");
}
