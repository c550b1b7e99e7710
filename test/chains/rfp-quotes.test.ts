import { describe, expect, it } from "vitest";
import rfpResponse from "../../chains/rfp-response/index.js";
import { checkQuotes } from "../../chains/rfp-response/checks.js";
import { describeSource, extractedRequirements, type ChunkItem } from "../../chains/rfp-response/sources.js";
import { chunkDocument } from "../../src/chain-api.js";

/**
 * The rfp-response chain's quote check and sources, on one chunk: a quote is accepted when it is
 * one sentence, item or cell of the chunk, and its source is where that sentence is.
 */

const text = [
  "# RFQ",
  "",
  "## 4.0 PRICING",
  "",
  "All rates shall be fully burdened.",
  "",
  "## 5.0 OPERATING CONSTRAINTS",
  "",
  "### 5.1 Security",
  "",
  "- Badges must be worn at all times",
  "Escorts are provided by the COR.",
].join("\r\n");
const chunk: ChunkItem = chunkDocument(text, { maxTokens: 1_000 })[0] as ChunkItem;
const requirement = (quote: string) => ({ text: "restated", quote, category: "functional" as const, priority: "must" as const });

describe("rfp-response quotes", () => {
  it("accepts quotes that are one sentence or item of the chunk", () => {
    expect(
      checkQuotes({ requirements: [requirement("All rates shall be fully burdened."), requirement("Badges must be worn at all times")] }, chunk.blocks),
    ).toEqual([]);
  });

  it("sends back an invented quote, and one that glues a list item to the sentence after it, with what to do", () => {
    const problems = checkQuotes(
      { requirements: [requirement("All rates shall include travel."), requirement("Badges must be worn at all times Escorts are provided by the COR.")] },
      chunk.blocks,
    );
    expect(problems).toEqual([
      { path: "requirements.0.quote", message: 'is not in the text: copy the RFP\'s sentence exactly ("All rates shall include travel.")' },
      {
        path: "requirements.1.quote",
        message:
          'joins two separate parts of the RFP ("- Badges must be worn at all times" and "Escorts are provided by the COR."): quote only the sentence, list item or table cell that states this requirement, and list the other on its own',
      },
    ]);
  });

  it("cites each requirement at its own section and line, not the chunk's; a quote edited out of the chunk is cited at the whole chunk", () => {
    const sources = extractedRequirements(
      [chunk],
      [
        {
          requirements: [requirement("All rates shall be fully burdened"), requirement("Badges must be worn"), requirement("Typed in by hand at an approval")],
        },
      ],
    );
    expect(sources.map((entry) => [entry.id, describeSource(entry.source), entry.source.sentence])).toEqual([
      ["E1.1", "RFQ › 4.0 PRICING, line 5", "All rates shall be fully burdened."],
      ["E1.2", "RFQ › 5.0 OPERATING CONSTRAINTS › 5.1 Security, line 11", "Badges must be worn at all times"],
      ["E1.3", "RFQ, lines 1-12", "Typed in by hand at an approval"],
    ]);
    expect(describeSource({ section: "A", lines: "3-4", pages: "2", sentence: "s" })).toBe("A, lines 3-4 (page 2)");
    expect(describeSource({ section: "A", lines: "3", pages: "2-3", sentence: "s" })).toBe("A, line 3 (pages 2-3)");
  });

  it("a Markdown file given on the command line takes its first heading for the title, without pandoc's attributes", () => {
    expect(rfpResponse.definition.inputFromText?.("# Request for Quotation 70Z0G326 {#rfq .title}\r\n\r\nText.", "/tmp/rfq.md")).toEqual({
      title: "Request for Quotation 70Z0G326",
      document: "# Request for Quotation 70Z0G326 {#rfq .title}\r\n\r\nText.",
      sourceName: "rfq.md",
    });
  });
});
