import type { DocumentLine } from "./document-lines.js";

/**
 * Page furniture of a paginated document (a PDF's text, pages split by form feeds): the running
 * headers and footers that pdf.js hands back as text on every page — "Page 3 of 27", the RFP's
 * title, a solicitation number. Left in, they land in the middle of sentences that cross a page
 * break and in every chunk. A line is furniture when it sits within the first or last few
 * non-blank lines of a page and either is a page number, or the same line (digits aside) sits
 * there on most pages. Its page number stays known through the lines around it.
 */

/** How far from a page's top or bottom a header or footer line can sit. */
const EDGE_LINES = 3;
const PAGE_NUMBER = /^(?:page\s+)?\d{1,4}(?:\s*(?:of|\/)\s*\d{1,4})?$|^[-–—]\s*\d{1,4}\s*[-–—]$/i;

/** Lines are compared with digits and case aside, so "Page 3 of 27" and "Page 4 of 27" are one. */
const shapeOf = (text: string): string => text.trim().toLowerCase().replace(/\d+/g, "#").replace(/\s+/g, " ");

/** The numbers of the lines that are page furniture; empty for a document of fewer than three pages. */
export function pageFurniture(lines: ReadonlyArray<DocumentLine>): Set<number> {
  const pages = new Map<number, DocumentLine[]>();
  for (const line of lines) {
    if (line.text.trim() === "") continue;
    const page = pages.get(line.page) ?? [];
    page.push(line);
    pages.set(line.page, page);
  }
  const furniture = new Set<number>();
  if (pages.size < 3) return furniture;
  const edgesOf = (page: ReadonlyArray<DocumentLine>): DocumentLine[] => {
    const edge = Math.min(EDGE_LINES, Math.ceil(page.length / 2));
    return [...page.slice(0, edge), ...page.slice(page.length - edge)];
  };
  // On how many pages each shape sits at an edge.
  const pagesWithShape = new Map<string, number>();
  for (const page of pages.values()) {
    for (const shape of new Set(edgesOf(page).map((line) => shapeOf(line.text)))) pagesWithShape.set(shape, (pagesWithShape.get(shape) ?? 0) + 1);
  }
  const repeatedOn = Math.max(3, Math.ceil(pages.size / 2));
  for (const page of pages.values()) {
    for (const line of edgesOf(page)) {
      const text = line.text.trim();
      if (PAGE_NUMBER.test(text) || (pagesWithShape.get(shapeOf(text)) ?? 0) >= repeatedOn) furniture.add(line.number);
    }
  }
  return furniture;
}
