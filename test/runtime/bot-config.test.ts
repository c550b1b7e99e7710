import { describe, expect, it } from "vitest";
import { parseBotConfig } from "../../src/bot-config.js";
import { BatonError } from "../../src/core/errors.js";

const valid = { SLACK_BOT_TOKEN: "xoxb-1-2-abc", SLACK_SIGNING_SECRET: "0123456789abcdef0123" };

function failure(environment: Record<string, string>): BatonError {
  try {
    parseBotConfig(environment);
  } catch (error) {
    if (error instanceof BatonError) return error;
    throw error;
  }
  throw new Error("expected CONFIG_INVALID");
}

describe("parseBotConfig", () => {
  it("HTTP mode with defaults", () => {
    const config = parseBotConfig(valid);
    expect(config).toMatchObject({
      slackAppToken: undefined,
      port: 3000,
      defaultApprovers: [],
      reminderEveryMs: 4 * 3_600_000,
      escalateAfterMs: 12 * 3_600_000,
      deadlineCheckCron: "*/30 * * * * *",
    });
  });

  it("Socket Mode, approvers, a proxy URL and durations", () => {
    const config = parseBotConfig({
      SLACK_BOT_TOKEN: "xoxb-1",
      SLACK_APP_TOKEN: "xapp-1-A",
      SLACK_API_URL: "http://proxy.internal:8080/api",
      PORT: "8080",
      BATON_APPROVERS: "U1, S2 U3",
      BATON_REMINDER_EVERY: "30m",
    });
    expect(config).toMatchObject({
      slackAppToken: "xapp-1-A",
      slackApiUrl: "http://proxy.internal:8080/api/",
      port: 8080,
      defaultApprovers: ["U1", "S2", "U3"],
      reminderEveryMs: 1_800_000,
    });
  });

  it("a missing or malformed token names the variable and the fix", () => {
    const missing = failure({ SLACK_SIGNING_SECRET: valid.SLACK_SIGNING_SECRET });
    expect(missing.code).toBe("CONFIG_INVALID");
    expect(missing.message).toMatch(/^SLACK_BOT_TOKEN is not set\. Copy the Bot User OAuth Token/);
    expect(failure({ ...valid, SLACK_BOT_TOKEN: "xoxp-user-token" }).message).toContain("SLACK_BOT_TOKEN must be a bot token starting with xoxb-");
    expect(failure({ ...valid, SLACK_APP_TOKEN: "xoxb-oops" }).message).toContain("SLACK_APP_TOKEN must be an app-level token starting with xapp-");
    expect(failure({ SLACK_BOT_TOKEN: "xoxb-1" }).message).toContain("SLACK_SIGNING_SECRET is not set");
    expect(failure({ ...valid, PORT: "http" }).details).toEqual({ variable: "PORT" });
    expect(failure({ ...valid, BATON_SLACK_CHANNEL: "#ops" }).message).toContain("channel id");
    expect(failure({ ...valid, BATON_ESCALATE_AFTER: "soon" }).message).toContain("BATON_ESCALATE_AFTER must be a duration");
  });

  it("retention: 90 days by default, a duration, or off; anything else names the variable and the fix", () => {
    expect(parseBotConfig(valid)).toMatchObject({ retentionMs: 90 * 86_400_000, retentionCron: "17 3 * * *" });
    expect(parseBotConfig({ ...valid, BATON_RETENTION: "30d", BATON_RETENTION_CRON: "0 4 * * 0" })).toMatchObject({
      retentionMs: 30 * 86_400_000,
      retentionCron: "0 4 * * 0",
    });
    expect(parseBotConfig({ ...valid, BATON_RETENTION: "off" }).retentionMs).toBeUndefined();
    const bad = failure({ ...valid, BATON_RETENTION: "forever" });
    expect(bad.message).toContain("BATON_RETENTION must be a duration such as 90d or 720h, or off");
    expect(bad.message).toContain("unset it for 90d");
  });
});
