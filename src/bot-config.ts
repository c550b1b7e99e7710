import { z } from "zod";
import { durationToMs, type Duration } from "./core/duration.js";
import { BatonError } from "./core/errors.js";

/**
 * The bot's configuration (Slack, HTTP, approvals), parsed once at start-up beside `parseConfig`.
 * Every variable is in docs/configuration.md; a missing or malformed one stops
 * start-up with a message naming it and the fix.
 */

const emptyToUndefined = (value: unknown): unknown => (typeof value === "string" && value.trim() === "" ? undefined : value);
const idList = z.preprocess(
  emptyToUndefined,
  z
    .string()
    .optional()
    .transform((text) => (text ?? "").split(/[\s,]+/).filter((id) => id !== "")),
);
const duration = z.preprocess(
  emptyToUndefined,
  z
    .string()
    .trim()
    .regex(/^\d+(\.\d+)?[smhd]$/, "must be a duration such as 30m, 4h or 2d")
    .optional(),
);

const BotEnvironmentSchema = z.object({
  SLACK_BOT_TOKEN: z.preprocess(
    emptyToUndefined,
    z.string({ message: "is not set" }).trim().startsWith("xoxb-", "must be a bot token starting with xoxb- (OAuth & Permissions → Bot User OAuth Token)"),
  ),
  SLACK_APP_TOKEN: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .trim()
      .startsWith("xapp-", "must be an app-level token starting with xapp- (Basic Information → App-Level Tokens, scope connections:write)")
      .optional(),
  ),
  SLACK_SIGNING_SECRET: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .trim()
      .regex(/^[0-9a-f]{16,}$/i, "must be the app's signing secret: hex characters (Basic Information → Signing Secret)")
      .optional(),
  ),
  SLACK_API_URL: z.preprocess(emptyToUndefined, z.url({ protocol: /^https?$/, message: "must be an http(s) URL such as https://slack.com/api/" }).optional()),
  PORT: z.preprocess(emptyToUndefined, z.coerce.number({ message: "must be a port number" }).int("must be a whole number").min(0).max(65_535).default(3000)),
  BATON_APPROVERS: idList,
  BATON_SLACK_CHANNEL: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .trim()
      .regex(/^[CGD][A-Z0-9]+$/, "must be a Slack channel id such as C0123456789 (channel details → bottom of About)")
      .optional(),
  ),
  BATON_REMINDER_EVERY: duration,
  BATON_ESCALATE_AFTER: duration,
  BATON_ESCALATE_TO: idList,
  BATON_DEADLINE_CHECK_CRON: z.preprocess(emptyToUndefined, z.string().trim().default("*/30 * * * * *")),
  BATON_WEBHOOK_TOKEN: z.preprocess(
    emptyToUndefined,
    z.string().trim().min(16, "must be at least 16 characters (generate one with `openssl rand -hex 24`)").optional(),
  ),
  PAGERDUTY_WEBHOOK_SECRET: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .optional()
      .transform((text) =>
        (text ?? "")
          .split(",")
          .map((secret) => secret.trim())
          .filter((secret) => secret !== ""),
      ),
  ),
  BATON_INCIDENT_CHANNEL: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .trim()
      .regex(/^[CG][A-Z0-9]+$/, "must be a Slack channel id such as C0123456789")
      .optional(),
  ),
  BATON_ONCALL: idList,
  BATON_INCIDENT_CHAIN: z.preprocess(emptyToUndefined, z.string().trim().default("incident-response")),
  GITHUB_WEBHOOK_SECRET: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .optional()
      .transform((text) =>
        (text ?? "")
          .split(",")
          .map((secret) => secret.trim())
          .filter((secret) => secret !== ""),
      ),
  ),
  BATON_RFP_CHAIN: z.preprocess(emptyToUndefined, z.string().trim().default("rfp-response")),
  BATON_DOCUMENT_MAX_MB: z.preprocess(
    emptyToUndefined,
    z.coerce.number({ message: "must be a number of megabytes" }).positive("must be above 0").max(200, "must be at most 200").default(20),
  ),
  BATON_RETENTION: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .trim()
      .regex(/^(off|\d+(\.\d+)?[smhd])$/, "must be a duration such as 90d or 720h, or off")
      .default("90d"),
  ),
  BATON_RETENTION_CRON: z.preprocess(emptyToUndefined, z.string().trim().default("17 3 * * *")),
});

export interface BotConfig {
  slackBotToken: string;
  /** Set: Socket Mode. Unset: the HTTP receiver on `port`. */
  slackAppToken: string | undefined;
  slackSigningSecret: string | undefined;
  /** The Web API base URL, with a trailing slash; undefined for Slack's own. */
  slackApiUrl: string | undefined;
  port: number;
  /** Who may approve when a chain names nobody: user and user-group ids. */
  defaultApprovers: string[];
  /** Where runs that did not start in Slack are shown, when their chain names no channel. */
  defaultChannel: string | undefined;
  reminderEveryMs: number;
  escalateAfterMs: number;
  escalateTo: string[];
  /** node-cron expression for the approval deadline check (reminders, escalation, expiry). */
  deadlineCheckCron: string;
  /** Bearer token for the Alertmanager, Grafana and generic webhooks; unset: they answer 503. */
  webhookToken: string | undefined;
  /** PagerDuty V3 signing secrets; several while rotating. */
  pagerDutySecrets: string[];
  /** Where incident summaries are posted. */
  incidentChannel: string | undefined;
  /** Mentioned in incident summaries: the on-call user group. */
  oncall: string[];
  /** The chain an alert group starts. */
  incidentChain: string;
  /** The chain `/baton rfp` starts. */
  rfpChain: string;
  /** Documents (shared files) larger than this are refused. */
  documentMaxBytes: number;
  /** GITHUB_WEBHOOK_SECRET (several while rotating); empty: the GitHub webhook is off. */
  githubWebhookSecrets: string[];
  /** Audit detail of runs finished longer ago than this is pruned; undefined: kept for ever. */
  retentionMs: number | undefined;
  /** When the retention job runs (node-cron). */
  retentionCron: string;
}

const FIXES: Record<string, string> = {
  SLACK_BOT_TOKEN: 'Copy the Bot User OAuth Token from your Slack app\'s OAuth & Permissions page (see README, "Create the Slack app").',
  SLACK_APP_TOKEN: "Create an app-level token with the connections:write scope under Basic Information, or unset SLACK_APP_TOKEN to use HTTP mode.",
  SLACK_SIGNING_SECRET: "Copy the Signing Secret from your Slack app's Basic Information page.",
  PORT: "Set a port from 1 to 65535, or unset PORT for 3000.",
  BATON_RETENTION: "Set how long finished runs keep their full audit detail, such as 90d, or off to keep it for ever; unset it for 90d.",
};

export const DEFAULT_REMINDER_EVERY: Duration = "4h";
export const DEFAULT_ESCALATE_AFTER: Duration = "12h";

/** Parse the bot's variables. Throws CONFIG_INVALID naming the first bad or missing one. */
export function parseBotConfig(environment: Readonly<Record<string, string | undefined>>): BotConfig {
  const parsed = BotEnvironmentSchema.safeParse(environment);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const variable = issue ? String(issue.path[0]) : "unknown";
    // "is not set" only when it is not: `PORT=abc` fails as invalid_type too (NaN), and is set.
    const problem = issue?.code === "invalid_type" && (environment[variable] ?? "") === "" ? "is not set" : (issue?.message ?? "is invalid");
    throw new BatonError("CONFIG_INVALID", `${variable} ${problem}. ${FIXES[variable] ?? "See the table in docs/configuration.md."}`, { variable });
  }
  const values = parsed.data;
  if (values.SLACK_APP_TOKEN === undefined && values.SLACK_SIGNING_SECRET === undefined) {
    throw new BatonError(
      "CONFIG_INVALID",
      "SLACK_SIGNING_SECRET is not set, and without SLACK_APP_TOKEN baton receives Slack's requests over HTTP, which it must verify. Copy the Signing Secret from your Slack app's Basic Information page, or set SLACK_APP_TOKEN to use Socket Mode.",
      { variable: "SLACK_SIGNING_SECRET" },
    );
  }
  const apiUrl = values.SLACK_API_URL;
  return {
    slackBotToken: values.SLACK_BOT_TOKEN,
    slackAppToken: values.SLACK_APP_TOKEN,
    slackSigningSecret: values.SLACK_SIGNING_SECRET,
    slackApiUrl: apiUrl === undefined ? undefined : apiUrl.endsWith("/") ? apiUrl : `${apiUrl}/`,
    port: values.PORT,
    defaultApprovers: values.BATON_APPROVERS,
    defaultChannel: values.BATON_SLACK_CHANNEL,
    reminderEveryMs: durationToMs((values.BATON_REMINDER_EVERY ?? DEFAULT_REMINDER_EVERY) as Duration),
    escalateAfterMs: durationToMs((values.BATON_ESCALATE_AFTER ?? DEFAULT_ESCALATE_AFTER) as Duration),
    escalateTo: values.BATON_ESCALATE_TO,
    deadlineCheckCron: values.BATON_DEADLINE_CHECK_CRON,
    webhookToken: values.BATON_WEBHOOK_TOKEN,
    pagerDutySecrets: values.PAGERDUTY_WEBHOOK_SECRET,
    incidentChannel: values.BATON_INCIDENT_CHANNEL,
    oncall: values.BATON_ONCALL,
    incidentChain: values.BATON_INCIDENT_CHAIN,
    githubWebhookSecrets: values.GITHUB_WEBHOOK_SECRET,
    rfpChain: values.BATON_RFP_CHAIN,
    documentMaxBytes: Math.round(values.BATON_DOCUMENT_MAX_MB * 1_048_576),
    retentionMs: values.BATON_RETENTION === "off" ? undefined : durationToMs(values.BATON_RETENTION as Duration),
    retentionCron: values.BATON_RETENTION_CRON,
  };
}
