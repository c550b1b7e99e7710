import { describe, expect, it } from "vitest";
import { redactText, redactValue } from "../../src/evals/redact.js";
import { caseScoreOf } from "../../src/evals/run-evals.js";
import { fieldSimilarity, similarity } from "../../src/evals/similarity.js";

describe("redaction of captured cases", () => {
  it("takes out Slack ids, mentions and tokens, and keeps ordinary upper-case words", () => {
    const text =
      "Ask <@U0ALICE7> in <#C024BE91L|ops> or U0APPROVER; token xoxb-1-2-abc, key sk-abcdefghijklmnop1234, ghp_abcdefghijklmnopqrstuvwx, CLOUDFRONT SEV1 REQ-001";
    expect(redactText(text)).toBe("Ask [redacted] in [redacted] or [redacted]; token [redacted], key [redacted], [redacted], CLOUDFRONT SEV1 REQ-001");
  });

  it("replaces string values under secret or Slack-address keys, and keeps numbers such as token counts", () => {
    expect(redactValue({ apiKey: "abc", channel: "general", nested: [{ password: "p", inputTokens: 12, text: "fine" }] })).toEqual({
      apiKey: "[redacted]",
      channel: "[redacted]",
      nested: [{ password: "[redacted]", inputTokens: 12, text: "fine" }],
    });
  });
});

describe("similarity to the reference", () => {
  it("is 1 for the same value, partial for shared words and near numbers, and ignores list order", () => {
    expect(similarity({ a: "x y", n: 10, list: [1, 2] }, { a: "x y", n: 10, list: [1, 2] })).toBe(1);
    expect(similarity("restart the api pods", "restart the web pods")).toBeCloseTo(3 / 5);
    expect(similarity(90, 100)).toBeCloseTo(0.9);
    expect(similarity(["b", "a"], ["a", "b"])).toBe(1);
    expect(similarity(["a"], ["a", "b"])).toBe(0.5);
    expect(fieldSimilarity({ risk: "low", summary: "x" }, { risk: "high", summary: "x" })).toEqual({ risk: 0, summary: 1 });
  });

  it("a case scores 0 without a valid answer, otherwise the mean of first try, similarity and scorers", () => {
    expect(caseScoreOf(false, 0, 1, {})).toBe(0);
    expect(caseScoreOf(true, 1, 1, { limit: { score: 0 } })).toBeCloseTo((0.5 + 1 + 0) / 3);
    expect(caseScoreOf(true, null, null, {})).toBe(1);
  });
});
