import { describe, expect, it } from "vitest";
import { BLOCK_LIMITS, fitBetween, fitBlocks, splitIntoSections, truncateText } from "../../../src/slack/render/block-limits.js";
import { header, section } from "../../../src/slack/render/blocks.js";
import { escapeMrkdwn, link, md, mention, mentionIdsIn, slackDate } from "../../../src/slack/render/mrkdwn.js";
import { duration, relative, usd } from "../../../src/slack/render/format.js";
import { textsOf } from "./fixtures.js";

describe("Block Kit limits", () => {
  it("names Slack's documented limits", () => {
    expect(BLOCK_LIMITS).toMatchObject({
      messageBlocks: 50,
      viewBlocks: 100,
      sectionText: 3_000,
      sectionFields: 10,
      fieldText: 2_000,
      headerText: 150,
      buttonText: 75,
      buttonValue: 2_000,
      modalTitle: 24,
      contextElementText: 3_000,
      messageText: 4_000,
    });
  });

  it("truncateText leaves short text alone and says how much it cut", () => {
    expect(truncateText("short", 10)).toBe("short");
    const cut = truncateText("y".repeat(5_000), 3_000);
    expect(cut).toHaveLength(3_000);
    const [, kept = "", leftOut = ""] = /^(y*)… \(([\d,]+) more characters\)$/.exec(cut) ?? [];
    expect(kept.length + Number(leftOut.replace(",", ""))).toBe(5_000);
    expect(truncateText("abcdefghij", 5)).toBe("abcd…");
  });

  it("truncateText never leaves half an entity, half a mention or half an emoji", () => {
    const escaped = `${"a".repeat(60)}${escapeMrkdwn("&&&&&&&&")}${"b".repeat(60)}`;
    expect(truncateText(escaped, 70)).not.toMatch(/&[a-z]*…/);
    const mentioned = `${"a".repeat(50)} <@U0APPROVER> ${"b".repeat(60)}`;
    expect(truncateText(mentioned, 80)).not.toMatch(/<@[A-Z0-9]*…/);
    const emoji = `${"a".repeat(49)}😀${"b".repeat(60)}`;
    expect(truncateText(emoji, 73)).toBe(`${"a".repeat(49)}… (62 more characters)`);
  });

  it("splitIntoSections splits between lines, breaks an over-long line at a space, and drops blank pieces", () => {
    expect(splitIntoSections("a\nb\nc", 3)).toEqual(["a\nb", "c"]);
    expect(splitIntoSections("x".repeat(7), 3)).toEqual(["xxx", "xxx", "x"]);
    expect(splitIntoSections("one two three four", 9)).toEqual(["one two", "three", "four"]);
    expect(splitIntoSections("\n\n", 3)).toEqual([]);
    const pieces = splitIntoSections(Array.from({ length: 2_000 }, (_, index) => `line ${String(index)}`).join("\n"));
    for (const piece of pieces) expect(piece.length).toBeLessThanOrEqual(3_000);
    expect(pieces.join("\n").split("\n")).toHaveLength(2_000);
  });

  it("fitBlocks keeps max - 1 blocks and says how many were left out", () => {
    const blocks = Array.from({ length: 60 }, (_, index) => section(md`block ${index}`));
    const fitted = fitBlocks(blocks, 50, (leftOut) => md`… ${leftOut} more blocks — see \`baton show &lt;run-id&gt;\` for the whole output`);
    expect(fitted).toHaveLength(50);
    expect(textsOf(fitted).at(-1)).toBe("… 11 more blocks — see `baton show &lt;run-id&gt;` for the whole output");
    expect(fitBlocks(blocks.slice(0, 5), 50, () => md`unused`)).toHaveLength(5);
    const budgeted = fitBlocks(
      Array.from({ length: 10 }, () => section(escapeMrkdwn("z".repeat(2_900)))),
      50,
      (leftOut) => md`${leftOut} left out`,
      { maxCharacters: 10_000 },
    );
    expect(textsOf(budgeted).at(-1)).toBe("7 left out");
  });

  it("fitBetween always keeps what comes before and after the body", () => {
    const top = [header("Title")];
    const tail = [section(md`buttons go here`)];
    const body = Array.from({ length: 80 }, (_, index) => section(md`body ${index}`));
    const fitted = fitBetween({ top, body, tail }, 50, (leftOut) => md`${leftOut} more`);
    expect(fitted).toHaveLength(50);
    expect(fitted[0]).toBe(top[0]);
    expect(fitted.at(-1)).toBe(tail[0]);
    expect(textsOf(fitted).at(-2)).toBe("33 more");
  });
});

describe("mrkdwn helpers", () => {
  it("escapes the three control characters", () => {
    expect(escapeMrkdwn("a & <b> <!channel>")).toBe("a &amp; &lt;b&gt; &lt;!channel&gt;");
  });

  it("mentions users and groups, and shows anything else as escaped text", () => {
    expect(mention("U1")).toBe("<@U1>");
    expect(mention("W0BOT42")).toBe("<@W0BOT42>");
    expect(mention("S2")).toBe("<!subteam^S2>");
    expect(mention("cli:alice")).toBe("cli:alice");
    expect(mention("SECURITY")).toBe("SECURITY");
    expect(mention("U1><!channel")).toBe("U1&gt;&lt;!channel");
    expect(mentionIdsIn(escapeMrkdwn("only U0APPROVER1 or S0ONCALL1, not S3"), new Set(["U0APPROVER1", "S0ONCALL1", "S3"]))).toBe(
      "only <@U0APPROVER1> or <!subteam^S0ONCALL1>, not S3",
    );
    // An id baton was not given (an alert or a model wrote it) stays text.
    expect(mentionIdsIn(escapeMrkdwn("page U0STRANGER1 now"), new Set(["U0APPROVER1"]))).toBe("page U0STRANGER1 now");
  });

  it("formats dates for each reader, with a UTC fallback", () => {
    expect(slackDate(Date.UTC(2026, 10, 24, 15, 0, 0))).toBe("<!date^1795532400^{date_short_pretty} {time}|2026-11-24 15:00 UTC>");
  });

  it("links only https URLs that cannot break out of the link syntax", () => {
    expect(link("https://example.slack.com/archives/C1/p1?thread_ts=1&cid=C1", "open")).toBe(
      "<https://example.slack.com/archives/C1/p1?thread_ts=1&amp;cid=C1|open>",
    );
    expect(link("javascript:alert(1)", "open")).toBe("open");
    expect(link("https://x.example|<!channel>", "open")).toBe("open");
  });

  it("formats durations, relative times and money", () => {
    expect(duration(850)).toBe("850 ms");
    expect(duration(4_200)).toBe("4.2 s");
    expect(duration(185_000)).toBe("3 min 5 s");
    expect(duration(3 * 3_600_000)).toBe("3 h");
    expect(duration(50 * 3_600_000)).toBe("2 d 2 h");
    expect(relative(3 * 3_600_000, 0)).toBe("in 3 h");
    expect(relative(0, 240_000)).toBe("4 min ago");
    expect(usd(0.00036)).toBe("$0.0004");
    expect(usd(12.5)).toBe("$12.5000");
  });
});
