import { describe, expect, it } from "vitest";
import { renderOutputBlocks, renderOutputText } from "../../../src/slack/render/output-blocks.js";
import type { Block } from "../../../src/slack/render/types.js";
import { HOSTILE, hugeOutput, textsOf } from "./fixtures.js";

const sections = (blocks: Block[]) => blocks.filter((block) => block.type === "section");

describe("renderOutputBlocks", () => {
  it("renders JSON for people: humanized headings, short values as fields, lists as bullets, flat objects on one line, nested objects indented", () => {
    const blocks = renderOutputBlocks(
      {
        monthlyTotalLow: 1200,
        region: "eu-west-1",
        highAvailability: true,
        summary: "A long summary that goes on. ".repeat(10),
        risks: ["data loss", "downtime"],
        components: [
          { name: "api", cost: 3 },
          { name: "db", cost: 12.5 },
        ],
        architecture: { frontend: { framework: "react" }, notes: ["cdn in front"] },
      },
      { maxBlocks: 50 },
    );
    expect(blocks[0]).toEqual({
      type: "section",
      fields: [
        { type: "mrkdwn", text: "*Monthly total low*\n1,200" },
        { type: "mrkdwn", text: "*Region*\neu-west-1" },
        { type: "mrkdwn", text: "*High availability*\nyes" },
      ],
    });
    expect(textsOf(blocks).slice(3)).toEqual([
      `*Summary*\n${"A long summary that goes on. ".repeat(10)}`,
      "*Risks*\n• data loss\n• downtime",
      "*Components*\n• Name: api · Cost: 3\n• Name: db · Cost: 12.5",
      "*Architecture*\n_Frontend:_\n    _Framework:_ react\n_Notes:_\n    • cdn in front",
    ]);
    expect(JSON.stringify(blocks)).not.toContain('"monthlyTotalLow"');
  });

  it("puts at most ten fields in a section", () => {
    const many = Object.fromEntries(Array.from({ length: 23 }, (_, index) => [`field${String(index)}`, index]));
    const blocks = renderOutputBlocks(many, { maxBlocks: 50 });
    expect(blocks.map((block) => (block.type === "section" ? (block.fields?.length ?? 0) : 0))).toEqual([10, 10, 3]);
  });

  it("renders a top-level list, string or empty output without raw JSON", () => {
    expect(textsOf(renderOutputBlocks(["a", { name: "b", cost: 2 }], { maxBlocks: 50 }))).toEqual(["• a\n• Name: b · Cost: 2"]);
    expect(textsOf(renderOutputBlocks("plain answer", { maxBlocks: 50 }))).toEqual(["plain answer"]);
    expect(textsOf(renderOutputBlocks({}, { maxBlocks: 50 }))).toEqual(["_(no output)_"]);
    expect(textsOf(renderOutputBlocks(null, { maxBlocks: 50 }))).toEqual(["—"]);
  });

  it("escapes model text so it cannot mention, link or break out", () => {
    const rendered = JSON.stringify(renderOutputBlocks({ note: HOSTILE, list: [HOSTILE], rows: [{ text: HOSTILE }], [HOSTILE]: "key" }, { maxBlocks: 50 }));
    expect(rendered).not.toContain("<!channel>");
    expect(rendered).not.toContain("<https://evil.example");
    expect(rendered).not.toContain("<@U0BOSS123>");
    expect(rendered).toContain("&lt;!channel&gt; please &lt;https://evil.example|click here&gt; &amp; &lt;@U0BOSS123&gt;");
    expect(renderOutputText({ note: HOSTILE })).toBe("*Note:* &lt;!channel&gt; please &lt;https://evil.example|click here&gt; &amp; &lt;@U0BOSS123&gt;");
  });

  it("keeps a 20,000-character string, a 500-item list and deep nesting within the limits, and says what it left out", () => {
    for (const value of [
      { essay: "word ".repeat(4_000) },
      "x".repeat(20_000),
      Array.from({ length: 500 }, (_, index) => `item ${String(index)}: a line that says something about it`),
      hugeOutput(),
    ]) {
      const blocks = renderOutputBlocks(value, { maxBlocks: 44, runId: "r_1" });
      expect(blocks.length).toBeLessThanOrEqual(44);
      for (const text of textsOf(sections(blocks))) expect(text.length).toBeLessThanOrEqual(3_000);
      expect(textsOf(blocks).join("").length).toBeLessThanOrEqual(8_000);
      expect(textsOf(blocks).at(-1)).toMatch(/^… \d+ more blocks? of output not shown here — see `baton show r_1` for the whole output\.$/);
    }
  });

  it("shows a short 500-item list whole", () => {
    const text = textsOf(renderOutputBlocks({ hosts: Array.from({ length: 500 }, (_, index) => `h${String(index)}`) }, { maxBlocks: 44 })).join("\n");
    expect(text.split("\n").filter((line) => line.startsWith("• "))).toHaveLength(500);
    expect(text).not.toContain("not shown");
  });

  it("stops indenting past six levels and says so", () => {
    let deep: unknown = "bottom";
    for (let level = 0; level < 12; level += 1) deep = { inner: deep };
    const text = textsOf(renderOutputBlocks({ deep }, { maxBlocks: 50 })).join("\n");
    expect(text).toContain("_(nested deeper than 6 levels; `baton show` prints it all)_");
    expect(text).not.toContain("bottom");
  });

  it("honours a smaller block and character budget", () => {
    const blocks = renderOutputBlocks({ a: "x".repeat(2_500), b: "y".repeat(2_500), c: "z".repeat(2_500) }, { maxBlocks: 50, maxCharacters: 5_500 });
    expect(blocks).toHaveLength(3);
    expect(textsOf(blocks).at(-1)).toContain("1 more block of output");
    expect(
      renderOutputBlocks(
        Array.from({ length: 100 }, () => "w".repeat(2_000)),
        { maxBlocks: 3, maxCharacters: 100_000 },
      ),
    ).toHaveLength(3);
  });
});
