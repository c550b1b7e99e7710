/**
 * Slack mrkdwn pieces: escaping, mentions, links and dates — the ONE path by which text reaches a
 * mrkdwn field (a message's top-level `text`, section and context text, modal notes).
 *
 * Slack reads `&`, `<` and `>` as control characters in mrkdwn, and the top-level `text` of a
 * message is mrkdwn too ("Formatting text for app surfaces", docs.slack.dev/messaging/formatting-message-text,
 * "Escaping text"). `Mrkdwn` is a branded string: only this module makes one, by escaping text
 * (`escapeMrkdwn`) or building a mention, link or date from ids baton holds. The block builders
 * (`blocks.ts`) and `SlackMessage.text` take `Mrkdwn`, so a raw alert, model or user string does
 * not type-check there: it has to pass `escapeMrkdwn` (or the `md` tag) first.
 */

declare const mrkdwnBrand: unique symbol;

/** Text that is safe in a mrkdwn field: escaped, or built here from ids baton holds. */
export type Mrkdwn = string & { readonly [mrkdwnBrand]: true };

/** Only this module vouches for text; everything else goes through a function below. */
const vouched = (text: string): Mrkdwn => text as Mrkdwn;

/** `&`, `<` and `>` as the entities Slack asks for: the only characters it treats as control. */
export function escapeMrkdwn(text: string): Mrkdwn {
  return vouched(text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;"));
}

/**
 * A template tag for mrkdwn: its literal parts are baton's own source (bold, code spans, emoji,
 * newlines), and every interpolated value must already be `Mrkdwn` (or a number), so
 * ``md`*${escapeMrkdwn(title)}*` `` type-checks and ``md`*${title}*` `` with a raw string does not.
 */
export function md(strings: TemplateStringsArray, ...values: ReadonlyArray<Mrkdwn | number>): Mrkdwn {
  let text = strings[0] ?? "";
  values.forEach((value, index) => {
    text += (typeof value === "number" ? String(value) : value) + (strings[index + 1] ?? "");
  });
  return vouched(text);
}

/** The separators baton joins mrkdwn pieces with (literals, so no raw text slips in as one). */
export type MrkdwnSeparator = "" | " " | "   " | "\n" | "\n\n" | ", " | " · " | " → ";

/** Pieces of mrkdwn joined by one of baton's separators. */
export function joinMrkdwn(parts: ReadonlyArray<Mrkdwn>, separator: MrkdwnSeparator): Mrkdwn {
  return vouched(parts.join(separator));
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
export function mention(id: string): Mrkdwn {
  if (!isSlackId(id)) return escapeMrkdwn(id);
  return vouched(id.startsWith("S") ? `<!subteam^${id}>` : `<@${id}>`);
}

/** Several ids, as mentions, separated by commas. */
export function mentions(ids: ReadonlyArray<string>): Mrkdwn {
  return joinMrkdwn(ids.map(mention), ", ");
}

/**
 * The ids of `known` (configured approvers, the person who clicked) that appear in escaped text,
 * as mentions. Only ids baton was given become mentions: an id an alert or a model wrote stays text.
 */
export function mentionIdsIn(escapedText: Mrkdwn, known: ReadonlySet<string>): Mrkdwn {
  return vouched(escapedText.replace(SLACK_ID_IN_TEXT, (id) => (known.has(id) ? mention(id) : id)));
}

/** A time Slack shows in each reader's own time zone, with a UTC fallback for old clients. */
export function slackDate(at: number): Mrkdwn {
  const fallback = new Date(at)
    .toISOString()
    .replace("T", " ")
    .replace(/:\d\d\.\d+Z$/, " UTC");
  return vouched(`<!date^${String(Math.floor(at / 1000))}^{date_short_pretty} {time}|${fallback}>`);
}

/** A link, only for https URLs Slack's syntax cannot be broken out of; otherwise just the label. */
export function link(url: string, label: string): Mrkdwn {
  if (!/^https:\/\/[^\s<>|]+$/.test(url)) return escapeMrkdwn(label);
  return vouched(`<${url.replace(/&/g, "&amp;")}|${escapeMrkdwn(label)}>`);
}

/** A channel link built from a channel id baton holds (`<#C…>`); anything else as text. */
export function channelLink(channelId: string): Mrkdwn {
  return /^[CGD][A-Z0-9]+$/.test(channelId) ? vouched(`<#${channelId}>`) : escapeMrkdwn(channelId);
}

/** Escaped text's lines (a line of escaped text is escaped text). */
export function mrkdwnLines(text: Mrkdwn): Mrkdwn[] {
  return text.split("\n").map(vouched);
}

/** Escaped text without its leading white space. */
export function trimMrkdwnStart(text: Mrkdwn): Mrkdwn {
  return vouched(text.trimStart());
}

/** A line without its leading `:emoji:`, for a `text` fallback. */
export function withoutLeadingEmoji(line: Mrkdwn): Mrkdwn {
  return vouched(line.replace(/^:[a-z_0-9]+: /, ""));
}

/** mrkdwn reduced to what a notification shows: links and dates as their text. */
export function plainFallback(mrkdwnText: Mrkdwn): Mrkdwn {
  return vouched(mrkdwnText.replace(/<!date\^[^|>]*\|([^>]*)>/g, "$1").replace(/<(https:[^|>]*)\|([^>]*)>/g, "$2"));
}
