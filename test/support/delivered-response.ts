/**
 * Reads back the RFP response document the rfp-response chain delivers (Markdown), and checks
 * its citations against the RFP's own lines: what a proposal team does by hand when they follow
 * "4.0 Pricing, line 598" to the RFP. Independent of the chunker on purpose — a heading is the
 * nearest line above that looks like one, text is compared with case, white space, typographic
 * quotes, emphasis and `&amp;` aside.
 */

export interface Citation {
  section: string;
  firstLine: number;
  lastLine: number;
  pages?: { first: number; last: number };
}

export interface DeliveredRequirement {
  id: string;
  priority: string;
  where: string;
  citations: Citation[];
  sentences: string[];
}

const cellsOf = (row: string): string[] =>
  row
    .replace(/^\| | \|$/g, "")
    .split(/(?<!\\) \| /)
    .map((cell) => cell.replace(/\\\|/g, "|"));

function tableAfter(document: string, heading: string): string[][] {
  const lines = document.split("\n");
  const start = lines.indexOf(heading);
  const rows: string[][] = [];
  for (const line of lines.slice(start + 1)) {
    if (line.startsWith("## ")) break;
    if (line.startsWith("| ") && !line.startsWith("|---")) rows.push(cellsOf(line));
  }
  return rows.slice(1);
}

export function parseCitations(where: string): Citation[] {
  return where
    .split("; ")
    .filter((part) => part !== "")
    .map((part) => {
      const match = /^(.*), lines? (\d+)(?:-(\d+))?(?: \(pages? (\d+)(?:-(\d+))?\))?$/.exec(part);
      if (!match) throw new Error(`not a citation: "${part}"`);
      const [, section = "", first = "0", last, firstPage, lastPage] = match;
      return {
        section,
        firstLine: Number(first),
        lastLine: Number(last ?? first),
        ...(firstPage ? { pages: { first: Number(firstPage), last: Number(lastPage ?? firstPage) } } : {}),
      };
    });
}

/** The requirements table and the traceability matrix of a delivered response. */
export function readDeliveredResponse(document: string): {
  requirements: DeliveredRequirement[];
  traceability: Array<{ id: string; where: string; approach: string }>;
} {
  const requirements = tableAfter(document, "## Requirements").map(([id = "", priority = "", , , where = "", words = ""]) => ({
    id,
    priority,
    where,
    citations: parseCitations(where),
    sentences: words.split(" / ").map((sentence) => sentence.replace(/^“|”$/g, "")),
  }));
  const traceability = tableAfter(document, "## Traceability").map(([requirement = "", where = "", approach = ""]) => ({
    id: requirement.replace(/ \(.*\)$/, ""),
    where,
    approach,
  }));
  return { requirements, traceability };
}

export const comparable = (text: string): string =>
  text.toLowerCase().replace(/&amp;/g, "&").replace(/[“”]/g, '"').replace(/[‘’]/g, "'").replace(/[*\\]/g, "").replace(/\s+/g, " ").trim();

/**
 * Whether the cited lines of `documentLines` (1-based) hold `sentence`, and the section named is
 * the heading above them. `isFurniture` names a PDF's running headers and footers, which a
 * sentence that runs across a page break has between its lines.
 */
export function citationHolds(
  documentLines: ReadonlyArray<string>,
  citation: Citation,
  sentence: string,
  isHeading: (line: string) => string | undefined,
  isFurniture: (line: string) => boolean = () => false,
): { holds: boolean; heading: string | undefined } {
  const cited = documentLines
    .slice(citation.firstLine - 1, citation.lastLine)
    .filter((line) => !isFurniture(line))
    .join(" ");
  let heading: string | undefined;
  for (let index = citation.firstLine - 1; index >= 0 && heading === undefined; index -= 1) heading = isHeading(documentLines[index] ?? "");
  return { holds: comparable(cited).includes(comparable(sentence).replace(/^[-•]\s*/, "")), heading };
}
