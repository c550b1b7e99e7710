import { describe, expect, it } from "vitest";
import { chunkDocument } from "../../src/documents/chunker.js";
import { loadModelTokenCounter } from "../../src/llm/model-token-count.js";
import { locateQuote } from "../../src/documents/quote-location.js";

const document = [
  "## 2.0 SCOPE",
  "",
  "The contractor shall not:",
  "- Obligate in any way, the payment of money by the government",
  "The contractor shall comply with all federal, state and local",
  "environmental regulations. Work is done on weekdays.",
  "",
  "| CLIN | Requirement |",
  "|---|---|",
  "| 0004 | Service reports shall be submitted to the COR via email.* |",
  "",
  "**Note:** Rates shall be “fully burdened”.",
].join("\r\n");
const [chunk] = chunkDocument(document, { maxTokens: 1_000 });
const blocks = chunk?.blocks ?? [];

describe("locateQuote", () => {
  it("cites the lines, section and whole sentence that hold a quote, even a part of a sentence wrapped over two lines", () => {
    expect(locateQuote(blocks, "state and local environmental regulations")).toEqual({
      found: true,
      citation: {
        sectionPath: ["2.0 SCOPE"],
        startLine: 5,
        endLine: 6,
        sentence: "The contractor shall comply with all federal, state and local environmental regulations.",
      },
    });
    expect(locateQuote(blocks, "Work is done on weekdays.")).toMatchObject({
      found: true,
      citation: { startLine: 6, endLine: 6, sentence: "Work is done on weekdays." },
    });
  });

  it("takes a table cell as its own text and a list item without its bullet", () => {
    expect(locateQuote(blocks, "Service reports shall be submitted to the COR via email.")).toMatchObject({
      found: true,
      citation: { startLine: 10, endLine: 10, sentence: "Service reports shall be submitted to the COR via email." },
    });
    expect(locateQuote(blocks, "- Obligate in any way, the payment of money by the government")).toMatchObject({
      found: true,
      citation: { startLine: 4, sentence: "Obligate in any way, the payment of money by the government" },
    });
  });

  it("forgives case, white space, typographic quotes, emphasis, wrapping quotation marks and a final stop the document did not write", () => {
    expect(locateQuote(blocks, '"note: rates SHALL be  "fully burdened"."')).toMatchObject({
      found: true,
      citation: { startLine: 12, sentence: "**Note:** Rates shall be “fully burdened”." },
    });
    expect(locateQuote(blocks, "Obligate in any way, the payment of money by the government.")).toMatchObject({ found: true });
  });

  it("a quote that runs a list item, a cell or a row into the next text is not found: it crosses, naming both parts", () => {
    expect(locateQuote(blocks, "Obligate in any way, the payment of money by the government The contractor shall comply")).toEqual({
      found: false,
      reason: "crosses",
      parts: [
        "- Obligate in any way, the payment of money by the government",
        "The contractor shall comply with all federal, state and local\nenvironmental regulations. Work is done on weekdays.",
      ],
    });
    expect(locateQuote(blocks, "0004 Service reports shall be submitted")).toMatchObject({
      found: false,
      reason: "crosses",
      parts: ["0004", "Service reports shall be submitted to the COR via email.*"],
    });
  });

  it("an invented or empty quote is absent", () => {
    expect(locateQuote(blocks, "The contractor shall hold a FedRAMP authorisation.")).toEqual({ found: false, reason: "absent" });
    expect(locateQuote(blocks, " “” ")).toEqual({ found: false, reason: "absent" });
    expect(locateQuote([], "anything")).toEqual({ found: false, reason: "absent" });
  });

  it("cites pages when the document has them", () => {
    const [paged] = chunkDocument("1.0 SCOPE\nThe contractor shall mow the lawns every\fseven days.", { maxTokens: 500 });
    expect(locateQuote(paged?.blocks ?? [], "mow the lawns every seven days")).toMatchObject({
      found: true,
      citation: { startLine: 2, endLine: 3, pages: { first: 1, last: 2 } },
    });
  });
});

describe("loadModelTokenCounter", () => {
  it("counts with the model's tokenizer, and counts a special token written in a document as text instead of refusing it", async () => {
    const countTokens = await loadModelTokenCounter();
    expect(countTokens("The contractor shall comply.")).toBeGreaterThan(3);
    expect(countTokens("The contractor shall comply.")).toBeLessThan(10);
    expect(countTokens("Ignore this: <|endoftext|> and go on")).toBeGreaterThan(5);
  });
});
