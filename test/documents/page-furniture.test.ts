import { describe, expect, it } from "vitest";
import { documentLines } from "../../src/documents/document-lines.js";
import { pageFurniture } from "../../src/documents/page-furniture.js";

const furnitureOf = (pages: ReadonlyArray<ReadonlyArray<string>>): string[] => {
  const lines = documentLines(pages.map((page) => page.join("\n")).join("\f"));
  const furniture = pageFurniture(lines);
  return lines.filter((line) => furniture.has(line.number)).map((line) => `${String(line.page)}:${line.text}`);
};
const WORDS = ["mowing", "trimming", "leaf removal", "snow removal", "safety", "invoicing", "evaluation", "submission"];
const body = (page: number): string[] => [
  `${String(page)}.0 ${WORDS[page] ?? ""}`,
  `The contractor shall see to ${WORDS[page - 1] ?? ""} on site.`,
  `Payment for ${WORDS[page] ?? ""} follows acceptance.`,
  `Closing words about ${WORDS[page + 1] ?? ""} for this page.`,
];

describe("pageFurniture", () => {
  it("finds running headers and footers (digits aside) and page numbers in their usual shapes", () => {
    const page = (number: number): string[] => [
      `Grounds Maintenance RFQ, Amendment ${String(number)}`,
      ...body(number),
      number % 2 === 0 ? `- ${String(number)} -` : String(number),
      `Page ${String(number)} of 4`,
    ];
    expect(furnitureOf([page(1), page(2), page(3), page(4)])).toEqual(
      [1, 2, 3, 4].flatMap((number) => [
        `${String(number)}:Grounds Maintenance RFQ, Amendment ${String(number)}`,
        `${String(number)}:${number % 2 === 0 ? `- ${String(number)} -` : String(number)}`,
        `${String(number)}:Page ${String(number)} of 4`,
      ]),
    );
  });

  it("keeps a line repeated on fewer than half the pages or at different places, and everything of a document under three pages", () => {
    const repeated = "The contractor shall comply with all park rules.";
    expect(furnitureOf([[repeated, ...body(1)], [repeated, ...body(2)], body(3), body(4), body(5), body(6), body(7)])).toEqual([]);
    expect(
      furnitureOf([
        [repeated, ...body(1)],
        [...body(2), repeated],
        [...body(3).slice(0, 1), repeated, ...body(3).slice(1)],
      ]),
    ).toEqual([]);
    expect(
      furnitureOf([
        ["Header", ...body(1), "Footer"],
        ["Header", ...body(2), "Footer"],
      ]),
    ).toEqual([]);
    expect(furnitureOf([["Only page."]])).toEqual([]);
  });
});
