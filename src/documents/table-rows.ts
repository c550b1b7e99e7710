import type { TextSegment } from "./block-types.js";
import type { DocumentLine } from "./document-lines.js";

/**
 * Table rows as cells, in the shapes RFPs converted to Markdown carry: pipe tables (GFM), pandoc
 * grid tables (`+---+` rules, a cell's text wrapped over several lines), pandoc simple and
 * multiline tables (columns set by a dashed rule), and HTML tables (`<table>` inside Markdown). A cell is where a requirement sentence starts and ends, and a
 * `<br>` or `<p>` inside one ends a line of text as much as a cell border does.
 */

const GRID_RULE = /^\s*\+[-=:+]+\+\s*$/;

/**
 * A GFM delimiter row (`|---|:-:|`, `---|---`: cells of one or more hyphens with optional colons,
 * and at least one pipe, so a setext underline is not one) or a grid table rule (`+----+====+`):
 * structure, no text.
 */
export function isTableRule(line: string): boolean {
  if (GRID_RULE.test(line)) return true;
  if (!line.includes("|") || !/^[\s|:-]+$/.test(line)) return false;
  const cells = line.trim().replace(/^\|/, "").replace(/\|$/, "").split("|");
  return cells.every((cell) => /^\s*:?-+:?\s*$/.test(cell));
}
export const PIPE_ROW = /^\s*\|.*\|\s*$/;
const INNER_BREAK = /<br\s*\/?>|<\/?p\b[^>]*>|<\/?li\b[^>]*>|<\/?div\b[^>]*>/gi;

const ENTITIES: Record<string, string> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
  nbsp: " ",
  ndash: "–",
  mdash: "—",
  rsquo: "’",
  lsquo: "‘",
  rdquo: "”",
  ldquo: "“",
};

/** HTML text as it reads: tags out, character references decoded. */
export function htmlText(html: string): string {
  return html
    .replace(/<[^>]*>/g, "")
    .replace(/&(#x[\da-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
      if (name.startsWith("#x") || name.startsWith("#X")) return String.fromCodePoint(Number.parseInt(name.slice(2), 16));
      if (name.startsWith("#")) return String.fromCodePoint(Number.parseInt(name.slice(1), 10));
      return ENTITIES[name.toLowerCase()] ?? whole;
    })
    .replace(/[ \t\u00a0]+/g, " ")
    .trim();
}

function segmentOf(parts: ReadonlyArray<{ text: string; line: DocumentLine }>, paged: boolean): TextSegment | undefined {
  const kept = parts.filter((part) => part.text !== "");
  if (kept.length === 0) return undefined;
  return {
    text: kept.map((part) => part.text).join("\n"),
    lines: kept.map((part) => part.line.number),
    ...(paged ? { pages: kept.map((part) => part.line.page) } : {}),
  };
}

/** The cells of a pipe row's line: split at pipes that are not escaped (`\|`). */
function pipeCells(text: string): string[] {
  const cells = text
    .trim()
    .replace(/^\|/, "")
    .replace(/(?<!\\)\|$/, "")
    .split(/(?<!\\)\|/);
  return cells.map((cell) => cell.trim().replace(/\\\|/g, "|"));
}

/** One row from the lines that make it: a pipe row is one line, a grid row the lines between two rules. */
export function pipeRowSegments(rowLines: ReadonlyArray<DocumentLine>, paged: boolean): TextSegment[] {
  const columns: Array<Array<{ text: string; line: DocumentLine }>> = [];
  for (const line of rowLines) {
    pipeCells(line.text).forEach((cell, column) => {
      // `<br>` in a pipe cell (pandoc writes one for a line break) ends a line of the cell.
      for (const piece of cell.split(/<br\s*\/?>/i)) (columns[column] ??= []).push({ text: htmlText(piece), line });
    });
  }
  return columns.map(
    (parts) => segmentOf(parts, paged) ?? { text: "", lines: [rowLines[0]?.number ?? 1], ...(paged ? { pages: [rowLines[0]?.page ?? 1] } : {}) },
  );
}

const openingTagLength = (element: string): number => /^<[^>]*>/.exec(element)?.[0].length ?? 0;

/** The rows of an HTML table given the lines from `<table` to `</table>`, each row its cells. */
export function htmlRows(tableLines: ReadonlyArray<DocumentLine>, paged: boolean): Array<{ segments: TextSegment[] }> {
  const joined = tableLines.map((line) => line.text).join("\n");
  const lineStarts: number[] = [];
  let offset = 0;
  for (const line of tableLines) {
    lineStarts.push(offset);
    offset += line.text.length + 1;
  }
  /** The parts of [start, end) of `joined`, one per source line, with `<br>`/`<p>` ending a segment. */
  const segmentsIn = (start: number, end: number): TextSegment[] => {
    const segments: TextSegment[] = [];
    let parts: Array<{ text: string; line: DocumentLine }> = [];
    const close = (): void => {
      const segment = segmentOf(parts, paged);
      if (segment) segments.push(segment);
      parts = [];
    };
    const inner = joined.slice(start, end);
    let cursor = 0;
    for (const brk of [...inner.matchAll(INNER_BREAK), undefined]) {
      const pieceEnd = brk ? brk.index : inner.length;
      let lineStart = start + cursor;
      for (const text of inner.slice(cursor, pieceEnd).split("\n")) {
        const lineIndex = Math.max(
          0,
          lineStarts.findLastIndex((lineOffset) => lineOffset <= lineStart),
        );
        const line = tableLines[lineIndex];
        if (line) parts.push({ text: htmlText(text), line });
        lineStart += text.length + 1;
      }
      if (brk) {
        close();
        cursor = brk.index + brk[0].length;
      }
    }
    close();
    return segments;
  };
  const rows: Array<{ segments: TextSegment[] }> = [];
  for (const row of joined.matchAll(/<tr\b[^>]*>([\s\S]*?)(?:<\/tr>|(?=<tr\b)|<\/table>)/gi)) {
    const rowStart = row.index + openingTagLength(row[0]);
    const segments: TextSegment[] = [];
    for (const cell of (row[1] ?? "").matchAll(/<t[dh]\b[^>]*>([\s\S]*?)(?:<\/t[dh]>|(?=<t[dh]\b)|$)/gi)) {
      const cellStart = rowStart + cell.index + openingTagLength(cell[0]);
      segments.push(...segmentsIn(cellStart, cellStart + (cell[1] ?? "").length));
    }
    if (segments.length > 0) rows.push({ segments });
  }
  return rows;
}

/**
 * Pandoc's simple and multiline tables: columns are set by a rule of dash groups under the header
 * (`-------  ------ -----`), and a cell is the text within its column's span on the row's lines.
 * A column runs from the middle of the gap before its dashes to the middle of the gap after, so
 * right- and left-aligned text both land in their column.
 */
const COLUMN_RULE = /^\s*-{2,}(?:\s+-{2,})+\s*$/;
export const FULL_RULE = /^\s*-{3,}\s*$/;

/** The columns' start offsets set by a column rule line, or undefined when the line is not one. */
export function columnStarts(line: string): number[] | undefined {
  if (!COLUMN_RULE.test(line)) return undefined;
  const groups = [...line.matchAll(/-+/g)].map((group) => ({ start: group.index, end: group.index + group[0].length }));
  return groups.map((group, index) => (index === 0 ? 0 : Math.floor(((groups[index - 1]?.end ?? 0) + group.start) / 2)));
}

/** A row of a column-ruled table from its lines: each column's text, line by line. */
export function columnRowSegments(rowLines: ReadonlyArray<DocumentLine>, starts: ReadonlyArray<number>, paged: boolean): TextSegment[] {
  return starts.flatMap((start, column) => {
    const end = starts[column + 1] ?? Number.POSITIVE_INFINITY;
    const segment = segmentOf(
      rowLines.map((line) => ({ text: line.text.slice(start, end).trim(), line })),
      paged,
    );
    return segment ? [segment] : [];
  });
}
