import { describe, expect, it } from "vitest";
import { renderBlock } from "../../src/documents/block-types.js";
import { documentBlocks } from "../../src/documents/document-blocks.js";

const shape = (text: string): Array<[string, string, number[]]> =>
  documentBlocks(text).map((block) => [block.kind, renderBlock(block), block.segments.flatMap((segment) => segment.lines)]);

describe("documentBlocks", () => {
  it("keeps a list item without end punctuation apart from the sentence after it, but runs on a wrapped item", () => {
    const text = [
      "The contractor shall not:",
      "- Obligate in any way, the payment of money by",
      "  the government",
      "- Make any commitment on behalf of the",
      "government",
      "The contractor shall comply with all laws.",
    ].join("\n");
    expect(shape(text)).toEqual([
      ["paragraph", "The contractor shall not:", [1]],
      ["list-item", "- Obligate in any way, the payment of money by\nthe government", [1 + 1, 3]],
      ["list-item", "- Make any commitment on behalf of the\ngovernment", [4, 5]],
      ["paragraph", "The contractor shall comply with all laws.", [6]],
    ]);
  });

  it("reads bold labels, numbered paragraphs and pandoc's fences and thematic breaks as boundaries; CR alone ends a line", () => {
    const text = [
      "**Hours of Operation**",
      "Work shall be performed on weekdays.",
      "**Issue date:** 2 March 2026",
      "**Set-aside**: Small business",
      "4.1.2 The contractor shall keep records.",
      "::: {.note}",
      "Offerors must register.",
      ":::",
      "***",
      "Last line.",
    ].join("\r");
    expect(shape(text)).toEqual([
      ["label", "**Hours of Operation**", [1]],
      ["paragraph", "Work shall be performed on weekdays.", [2]],
      ["paragraph", "**Issue date:** 2 March 2026", [3]],
      ["paragraph", "**Set-aside**: Small business", [4]],
      ["paragraph", "4.1.2 The contractor shall keep records.", [5]],
      ["paragraph", "Offerors must register.", [7]],
      ["paragraph", "Last line.", [10]],
    ]);
  });

  it("runs on a sentence whose next line starts with a bold word", () => {
    expect(shape(["The contractor shall", "**not** exceed the ceiling price.", "**Note:** prices are firm."].join("\n"))).toEqual([
      ["paragraph", "The contractor shall\n**not** exceed the ceiling price.", [1, 2]],
      ["paragraph", "**Note:** prices are firm.", [3]],
    ]);
  });

  it("reads pipe tables (with and without outer pipes, escaped pipes, <br> in a cell) as rows of cells and drops delimiter rows", () => {
    const text = [
      "Item | Requirement",
      "---|-",
      "1 | Reports shall be sent by email<br>Copies shall go to the COR",
      "2 | Rates \\| fees shall be fixed",
      "",
      "| A | B |",
      "|:--|--:|",
      "| x | y |",
    ].join("\n");
    const blocks = documentBlocks(text);
    expect(blocks.map((block) => block.segments.map((segment) => segment.text))).toEqual([
      ["Item", "Requirement"],
      ["1", "Reports shall be sent by email\nCopies shall go to the COR"],
      ["2", "Rates | fees shall be fixed"],
      ["A", "B"],
      ["x", "y"],
    ]);
    expect(blocks.every((block) => block.kind === "table-row")).toBe(true);
  });

  it("reads a pandoc grid table's wrapped cells as one cell each", () => {
    const text = [
      "+----------+---------------------------+",
      "| Clause   | Title                     |",
      "+==========+===========================+",
      "| 52.212-4 | Contract Terms and        |",
      "|          | Conditions, Commercial    |",
      "+----------+---------------------------+",
    ].join("\n");
    const rows = documentBlocks(text);
    expect(rows.map((block) => block.segments.map((segment) => [segment.text, segment.lines]))).toEqual([
      [
        ["Clause", [2]],
        ["Title", [2]],
      ],
      [
        ["52.212-4", [4]],
        ["Contract Terms and\nConditions, Commercial", [4, 5]],
      ],
    ]);
  });

  it("reads pandoc's simple and multiline tables by the columns their dashed rule sets", () => {
    const text = [
      "Intro.",
      "",
      "  CLIN    Requirement",
      "  ------  ---------------------------------------",
      "  0001    The contractor shall inspect all units quarterly",
      "     2    Annual testing shall follow NFPA 72",
      "",
      "After.",
      "",
      "--------------------------------------------------",
      "Item      Requirement",
      "--------  ----------------------------------------",
      "First     The contractor shall submit a plan that",
      "          names the supervisor.",
      "",
      "Second    Reports shall be sent by email.",
      "--------------------------------------------------",
      "",
      "End.",
    ].join("\n");
    expect(shape(text)).toEqual([
      ["paragraph", "Intro.", [1]],
      ["table-row", "| CLIN | Requirement |", [3, 3]],
      ["table-row", "| 0001 | The contractor shall inspect all units quarterly |", [5, 5]],
      ["table-row", "| 2 | Annual testing shall follow NFPA 72 |", [6, 6]],
      ["paragraph", "After.", [8]],
      ["table-row", "| Item | Requirement |", [11, 11]],
      ["table-row", "| First | The contractor shall submit a plan that names the supervisor. |", [13, 13, 14]],
      ["table-row", "| Second | Reports shall be sent by email. |", [16, 16]],
      ["paragraph", "End.", [19]],
    ]);
  });

  it("reads an HTML table's rows and cells, with tags out, entities decoded, <br> and <p> as breaks, and each line's number kept", () => {
    const text = [
      "Intro.",
      "",
      "<table><tr><th>Task</th><th>Requirement</th></tr>",
      "<tr>",
      "<td>QC&nbsp;plan</td>",
      "<td><p>The contractor shall submit a plan</p>",
      "<p>The plan must name a <b>supervisor</b> &amp; a deputy</p></td>",
      "</tr>",
      "<tr><td>Report</td><td>Due &#8220;monthly&#8221;",
      "</table>",
      "After.",
    ].join("\n");
    expect(shape(text)).toEqual([
      ["paragraph", "Intro.", [1]],
      ["table-row", "| Task | Requirement |", [3, 3]],
      ["table-row", "| QC plan | The contractor shall submit a plan | The plan must name a supervisor & a deputy |", [5, 6, 7]],
      ["table-row", "| Report | Due “monthly” |", [9, 9]],
      ["paragraph", "After.", [11]],
    ]);
  });

  it("leaves out a paginated document's running header and page numbers, and runs a paragraph on across the page break", () => {
    const page = (number: number, body: string[]): string => ["Solicitation 140P2126Q0017", ...body, `Page ${String(number)} of 3`].join("\n");
    const text = [
      page(1, ["1.0 SCOPE", "The contractor shall mow the lawns every"]),
      page(2, ["seven days.", "2.0 SAFETY", "Workers shall wear boots."]),
      page(3, ["Solicitation 140P2126Q0017 is the only reference."]),
    ].join("\f");
    const blocks = documentBlocks(text);
    expect(blocks.map((block) => [block.kind, renderBlock(block), block.segments[0]?.lines, block.segments[0]?.pages])).toEqual([
      ["heading", "1.0 SCOPE", [2], [1]],
      ["paragraph", "The contractor shall mow the lawns every\nseven days.", [3, 6], [1, 2]],
      ["heading", "2.0 SAFETY", [7], [2]],
      // No blank lines in a PDF's text: the paragraph runs on over the page break (its sentences stay two).
      ["paragraph", "Workers shall wear boots.\nSolicitation 140P2126Q0017 is the only reference.", [8, 11], [2, 3]],
    ]);
  });
});
