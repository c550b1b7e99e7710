import type { DocumentLine } from "./document-lines.js";

/**
 * Page furniture of a paginated document (a PDF's text, pages split by form feeds): the running
 * headers and footers that pdf.js hands back as text on every page — "Page 3 of 27", the RFP's
 * title, a solicitation number. Left in, they land in the middle of sentences that cross a page
 * break and in every chunk. A line is furniture when it sits within the first or last few
 * non-blank lines of a page and either is a page number, or the same line (digits aside) sits
 * at the same place (the same line from the top, or from the bottom) on at least half the pages. Its page number stays known through the lines around it.
 */

/** How far from a page's top or bottom a header or footer line can sit. */
const EDGE_LINES = 3;
const PAGE_NUMBER = /^(?:page\s+)?\d{1,4}(?:\s*(?:of|\/)\s*\d{1,4})?$|^[-–—]\s*\d{1,4}\s*[-–—]$/i;

/**
 * Lines are compared with case aside and, in a short line (a header's length), digits aside too,
 * so "RFQ 123, page 3" and "RFQ 123, page 4" are one; a longer line must repeat word for word.
 */
const SHORT_LINE_WORDS = 8;
const shapeOf = (text: string): string => {
  const line = text.trim().toLowerCase().replace(/\s+/g, " ");
  return line.split(" ").length <= SHORT_LINE_WORDS ? line.replace(/\d+/g, "#") : line;
};

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
  /** A page's edge lines, each keyed by its shape and where it sits: "#2 top" is not "#2 bottom". */
  const edgesOf = (page: ReadonlyArray<DocumentLine>): Array<{ line: DocumentLine; key: string }> => {
    const edge = Math.min(EDGE_LINES, Math.ceil(page.length / 2));
    return [
      ...page.slice(0, edge).map((line, index) => ({ line, key: `${shapeOf(line.text)}\u0000top ${String(index)}` })),
      ...page.slice(page.length - edge).map((line, index, bottom) => ({ line, key: `${shapeOf(line.text)}\u0000bottom ${String(bottom.length - 1 - index)}` })),
    ];
  };
  // On how many pages each shape sits at the same place.
  const pagesWithKey = new Map<string, number>();
  for (const page of pages.values()) {
    for (const key of new Set(edgesOf(page).map((edge) => edge.key))) pagesWithKey.set(key, (pagesWithKey.get(key) ?? 0) + 1);
  }
  const repeatedOn = Math.max(3, Math.ceil(pages.size / 2));
  for (const page of pages.values()) {
    for (const { line, key } of edgesOf(page)) {
      if (PAGE_NUMBER.test(line.text.trim()) || (pagesWithKey.get(key) ?? 0) >= repeatedOn) furniture.add(line.number);
    }
  }
  return furniture;
}
