import { describe, expect, it } from "vitest";
import { chunkDocument } from "../../src/documents/chunker.js";
import { BatonError } from "../../src/core/errors.js";
import { estimateTokens } from "../../src/documents/token-estimate.js";
import { generateRfp } from "../support/rfp-fixture.js";

const normalise = (text: string): string => text.replace(/\s+/g, " ").trim();

describe("chunkDocument", () => {
  it("keeps the section path of Markdown, setext, numbered and 'Section N:' headings", () => {
    const text = [
      "# Tender",
      "Intro text.",
      "",
      "Scope",
      "=====",
      "Scope text.",
      "",
      "3.2 Availability",
      "Uptime text.",
      "",
      "Section 4: Security",
      "Security text.",
      "",
      "## 4.1 Encryption",
      "Keys text.",
    ].join("\n");
    const chunks = chunkDocument(text, { maxTokens: 400 });
    expect(chunks.map((chunk) => chunk.sectionPath)).toEqual([["Tender"], ["Scope"], ["Scope", "3.2 Availability"], ["Section 4: Security"], ["Section 4: Security", "4.1 Encryption"]]);
    expect(chunks[2]).toMatchObject({ startLine: 8, endLine: 9 });
  });

  it("does not take numbered list items in prose for headings", () => {
    const text = ["## Steps", "1. The vendor installs the agent on every host.", "2. The vendor confirms, in writing, the schedule", "3 Reports are sent monthly."].join("\n");
    const chunks = chunkDocument(text, { maxTokens: 400 });
    expect(chunks).toHaveLength(1);
    expect(chunks[0]?.sectionPath).toEqual(["Steps"]);
  });

  it("splits by size at paragraphs, then sentences, then words; every line is covered; overlap carries whole sentences", () => {
    const paragraph = (n: number): string => Array.from({ length: 12 }, (_, index) => `Paragraph ${String(n)} sentence ${String(index)} says something long enough to count.`).join(" ");
    const longWord = "x".repeat(30);
    const text = ["# Big", ...Array.from({ length: 10 }, (_, index) => [paragraph(index), ""]).flat(), Array.from({ length: 300 }, () => longWord).join(" ")].join("\n");
    const chunks = chunkDocument(text, { maxTokens: 200, overlapTokens: 30 });
    expect(chunks.length).toBeGreaterThan(10);
    for (const chunk of chunks) expect(chunk.tokens).toBeLessThanOrEqual(200);
    const covered = new Set(chunks.flatMap((chunk) => Array.from({ length: chunk.endLine - chunk.startLine + 1 }, (_, index) => chunk.startLine + index)));
    text.split("\n").forEach((line, index) => {
      if (line.trim() !== "") expect(covered.has(index + 1), `line ${String(index + 1)}`).toBe(true);
    });
    // Never inside a word.
    for (const chunk of chunks) expect(chunk.text).not.toMatch(/\bx{1,29}\b(?!x)/);
    // The second chunk starts with the end of the first.
    const firstEnd = normalise(chunks[0]?.text ?? "").split(". ").at(-1) ?? "";
    expect(normalise(chunks[1]?.text ?? "")).toContain(firstEnd.slice(0, 30));
  });

  it("numbers pages from form feeds, and is deterministic", () => {
    const text = "# Page one\nText one.\f# Page two\nText two.\f# Page three\nText three.";
    const chunks = chunkDocument(text, { maxTokens: 400 });
    expect(chunks.map((chunk) => chunk.pages)).toEqual([{ first: 1, last: 1 }, { first: 2, last: 2 }, { first: 3, last: 3 }]);
    expect(chunkDocument(text, { maxTokens: 400 })).toEqual(chunks);
  });

  it("keeps every known must requirement of the long RFP whole in at least one chunk", () => {
    const rfp = generateRfp();
    const chunks = chunkDocument(rfp.markdown, { maxTokens: 1_500, overlapTokens: 120 });
    expect(chunks.length).toBeGreaterThan(15);
    expect(chunks.length).toBeLessThan(200);
    for (const must of rfp.mustRequirements) expect(chunks.some((chunk) => normalise(chunk.text).includes(normalise(must.text))), must.id).toBe(true);
    expect(Math.max(...chunks.map((chunk) => chunk.tokens))).toBeLessThanOrEqual(1_500);
    expect(estimateTokens(rfp.markdown)).toBeGreaterThan(15_000);
  });

  it("an empty document is DOCUMENT_EMPTY with what to do", () => {
    expect(() => chunkDocument(" \n\f\n ", { maxTokens: 400 })).toThrow(BatonError);
    expect(() => chunkDocument("", { maxTokens: 400 })).toThrow(/no text to read/);
  });
});
