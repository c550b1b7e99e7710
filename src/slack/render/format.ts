import { escapeMrkdwn } from "./block-limits.js";

/** Small formatters shared by the cards: people, dates, durations, money. */

const SLACK_ID = /^[UWS](?=[A-Z0-9]*[0-9])[A-Z0-9]{6,}$/;

/** A Slack user or group id as a mention; anything else (`cli:alice`, `schedule`) as text. */
export function person(id: string): string {
  if (!SLACK_ID.test(id)) return `\`${escapeMrkdwn(id)}\``;
  return id.startsWith("S") ? `<!subteam^${id}>` : `<@${id}>`;
}

/** Every Slack user or group id in `text` as a mention (the text is escaped already). */
export function mentionIdsIn(text: string): string {
  return text.replace(/\b[UWS](?=[A-Z0-9]*[0-9])[A-Z0-9]{6,}\b/g, (id) => person(id));
}

export function people(ids: ReadonlyArray<string>): string {
  return ids.map(person).join(", ");
}

/** A time Slack shows in each reader's own time zone, with a UTC fallback. */
export function slackDate(at: number): string {
  return `<!date^${String(Math.floor(at / 1000))}^{date_short_pretty} {time}|${new Date(at).toISOString().replace(/\.\d+Z$/, "Z")}>`;
}

export function duration(ms: number): string {
  if (ms < 1_000) return `${String(Math.max(0, Math.round(ms)))} ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 60) return `${String(minutes)} min ${String(Math.round((ms % 60_000) / 1_000))} s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${String(hours)} h ${String(minutes % 60)} min`;
  return `${String(Math.floor(hours / 24))} d ${String(hours % 24)} h`;
}

/** "in 3 h 5 min" or "4 min ago". */
export function relative(at: number, now: number): string {
  return at >= now ? `in ${duration(at - now)}` : `${duration(now - at)} ago`;
}

export function usd(amount: number): string {
  return `$${amount.toFixed(amount >= 1 ? 2 : 4)}`;
}

export function tokens(count: number): string {
  return count.toLocaleString("en-US");
}
