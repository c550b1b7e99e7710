import { describe, expect, it } from "vitest";
import { describeError } from "../../src/core/errors.js";
import { redactSecrets, redactSecretsIn } from "../../src/core/redact-secrets.js";

/** Issue 13 item 9: credentials echoed in error bodies never reach a card, the store or a log. */

describe("redactSecrets", () => {
  it.each([
    [
      "Incorrect API key provided: sk-proj-AbCdEf123456789. You can find your API key in your account.",
      "Incorrect API key provided: sk-[redacted]. You can find your API key in your account.",
    ],
    ["token xoxb-1234-5678-abcdefABCDEF rejected", "token xox-[redacted] rejected"],
    ["app token xapp-1-A0B1-123-abcdef", "app token xapp-[redacted]"],
    ["bad credentials ghp_0123456789abcdefABCDEF0123456789abcd", "bad credentials gh_[redacted]"],
    ["github_pat_11AAAAAAA0abcdefghij_klmnopqrstuvwxyz", "github_pat_[redacted]"],
    ["Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.payload.sig", "Authorization: Bearer [redacted]"],
    ['{"api_key": "abcdef123456"}', '{"api_key": "[redacted]"}'],
    ["key AKIAIOSFODNN7EXAMPLE leaked", "key AKIA[redacted] leaked"],
  ])("%s", (input, expected) => {
    expect(redactSecrets(input)).toBe(expected);
  });

  it("leaves ordinary text alone", () => {
    const text = 'Step "plan" failed: the model answered 429 (rate limited); sk is short for skip; task-123 and xox are fine.';
    expect(redactSecrets(text)).toBe(text);
  });

  it("redacts every string in error details and log fields, and describeError's text", () => {
    expect(redactSecretsIn({ body: "sk-live-0123456789", nested: [{ header: "Bearer abcdefghij" }], status: 401 })).toEqual({
      body: "sk-[redacted]",
      nested: [{ header: "Bearer [redacted]" }],
      status: 401,
    });
    expect(describeError(new Error("401 Incorrect API key provided: sk-proj-0123456789"))).toBe("401 Incorrect API key provided: sk-[redacted]");
  });
});
