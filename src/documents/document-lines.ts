/**
 * A document's text as numbered lines: CRLF and lone CR count as one line break (as editors and
 * `readDocument` count them), and a form feed (a PDF page break, `readDocument` joins pages with
 * one) both ends a line and starts the next page. Line numbers are 1-based and are what every
 * citation points at.
 */

export interface DocumentLine {
  number: number;
  /** 1-based page; 1 throughout when the text has no form feeds. */
  page: number;
  text: string;
}

export function documentLines(text: string): DocumentLine[] {
  const lines: DocumentLine[] = [];
  let page = 1;
  for (const [index, raw] of text
    .replace(/\r\n?/g, "\n")
    .split(/\n|(?<=\f)/)
    .entries()) {
    const pageBreak = raw.endsWith("\f");
    lines.push({ number: index + 1, page, text: (pageBreak ? raw.slice(0, -1) : raw).replace(/\f/g, "") });
    if (pageBreak) page += 1;
  }
  return lines;
}
