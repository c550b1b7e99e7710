/**
 * Takes secrets and Slack ids out of captured data before it is written to a file people commit.
 * Values under keys that name a secret or a Slack address are replaced whole; strings have
 * tokens, keys and Slack ids cut out wherever they appear.
 */

export const REDACTED = "[redacted]";

// Keys whose value is a credential or a Slack address whatever it looks like.
const SECRET_KEY = /(token|secret|password|passwd|api[-_]?key|authorization|signing|credential|private[-_]?key|cookie)/i;
const SLACK_ADDRESS_KEY = /^(channel|channel_?id|user|user_?id|team|team_?id|thread_?ts|ts|message_?ts|response_?url|trigger_?id|enterprise_?id)$/i;

const SECRET_PATTERNS: ReadonlyArray<RegExp> = [
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g,
  /\bxox[abposr]-[A-Za-z0-9-]+/g, // Slack bot, user and legacy tokens
  /\bxapp-[A-Za-z0-9-]+/g, // Slack app-level tokens
  /\bsk-[A-Za-z0-9_-]{16,}/g, // OpenAI keys
  /\bgh[pousr]_[A-Za-z0-9]{20,}/g, // GitHub tokens
  /\bgithub_pat_[A-Za-z0-9_]{20,}/g,
  /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g, // AWS access key ids
  /\bBearer\s+[A-Za-z0-9._~+/=-]{8,}/g,
  /https:\/\/hooks\.slack\.com\/[^\s"'<>]+/g, // incoming webhook URLs carry their secret in the path
];

// Slack ids: a type letter, then upper-case letters and digits with at least one digit
// (U0ALICE7, C024BE91L), nine characters or more; mentions `<@U…>` and `<#C…|name>` whole.
const SLACK_MENTION = /<[@#!](?:subteam\^)?[A-Z0-9]+(?:\|[^>]*)?>/g;
const SLACK_ID = /\b[UWBCGDSTE](?=[A-Z0-9]*[0-9])[A-Z0-9]{8,}\b/g;

/** A string with secrets and Slack ids replaced by `[redacted]`. */
export function redactText(text: string): string {
  let result = text;
  for (const pattern of SECRET_PATTERNS) result = result.replace(pattern, REDACTED);
  return result.replace(SLACK_MENTION, REDACTED).replace(SLACK_ID, REDACTED);
}

/** A copy of a JSON value with secrets and Slack ids taken out (object keys are kept). */
export function redactValue(value: unknown): unknown {
  if (typeof value === "string") return redactText(value);
  if (Array.isArray(value)) return value.map(redactValue);
  if (typeof value === "object" && value !== null) {
    const copy: Record<string, unknown> = {};
    for (const [key, entry] of Object.entries(value as Record<string, unknown>)) {
      copy[key] = (SECRET_KEY.test(key) || SLACK_ADDRESS_KEY.test(key)) && typeof entry === "string" ? REDACTED : redactValue(entry);
    }
    return copy;
  }
  return value;
}
