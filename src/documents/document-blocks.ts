import type { BlockKind, DocumentBlock, TextSegment } from "./block-types.js";
import { documentLines, type DocumentLine } from "./document-lines.js";
import { headingAt } from "./headings.js";
import { pageFurniture } from "./page-furniture.js";
import { columnRowSegments, columnStarts, FULL_RULE, htmlRows, isTableRule, PIPE_ROW, pipeRowSegments } from "./table-rows.js";

/**
 * A document's text into blocks, in order, each with the headings it sits under: headings,
 * paragraphs, list items, bold labels and table rows (pipe, grid, pandoc simple and multiline,
 * and HTML tables). The
 * boundaries the document marks — a blank line, a list marker, a label on a line of its own, a
 * table cell — are kept, so a list item or a cell without end punctuation never runs into the
 * sentence after it. A PDF's repeated page headers and footers are left out.
 */

const LIST_MARKER = /^\s*(?:[-*+•●▪◦‣]|\d{1,3}[.)]|\(\w{1,4}\)|[a-zA-Z][.)])\s+\S/;
/** "4.1.2 The contractor shall…": a numbered paragraph starts a block even without a blank line before it. */
const NUMBERED_PARAGRAPH = /^\s*\d+(?:\.\d+)+\.?\s+\S/;
/** A bold label on a line of its own ("**Period of Performance:**"). */
const LABEL = /^\s*(\*\*|__)[^*_]+?:?\1\s*:?\s*$/;
/**
 * A line that starts with a bold label ("**Issue date:** 2 March 2026", "**Set-aside**: none")
 * starts a block of its own; a bold word going on with a sentence ("**not** exceed") does not.
 */
const LABELLED_LINE = /^\s*(\*\*|__)[^*_]{1,60}?(?::\1|\1\s*:)/;
/** Words a line can end with only in the middle of a sentence: the next line goes on with it. */
const CONTINUES =
  /(?:[,(/&–-]|\b(?:a|an|the|of|to|and|or|in|for|with|by|on|at|as|from|per|under|than|that|which|is|are|be|shall|must|will|may|not|no|any|all|each|its|their|our|your)\s*)$/i;
/** Pandoc's fenced divs (`::: {.note}`) and thematic breaks (`---`, `***`): structure, no text. */
const FENCE = /^\s*(?::::|([-*_])(?:\s*\1){2,}\s*$)/;

export function documentBlocks(text: string): DocumentBlock[] {
  const all = documentLines(text);
  const paged = all.some((line) => line.page > 1);
  const furniture = pageFurniture(all);
  // Furniture is not there at all: a paragraph that runs across a page break runs on.
  const lines = all.filter((line) => !furniture.has(line.number));
  const texts = lines.map((line) => line.text);

  const blocks: DocumentBlock[] = [];
  const stack: Array<{ level: number; title: string }> = [];
  let path: string[] = [];
  let open: { kind: BlockKind; lines: DocumentLine[] } | undefined;
  /** Inside a pandoc simple or multiline table: its columns, and whether a row may run over lines. */
  let columns: { starts: number[]; multiline: boolean; row: DocumentLine[] } | undefined;

  const segment = (part: ReadonlyArray<DocumentLine>): TextSegment => ({
    text: part.map((line) => line.text.trim()).join("\n"),
    lines: part.map((line) => line.number),
    ...(paged ? { pages: part.map((line) => line.page) } : {}),
  });
  const close = (): void => {
    if (open && open.lines.length > 0) blocks.push({ kind: open.kind, sectionPath: path, segments: [segment(open.lines)] });
    open = undefined;
  };
  const start = (kind: BlockKind, line: DocumentLine): void => {
    close();
    open = { kind, lines: [line] };
  };

  const closeRow = (): void => {
    if (columns && columns.row.length > 0)
      blocks.push({ kind: "table-row", sectionPath: path, segments: columnRowSegments(columns.row, columns.starts, paged) });
    if (columns) columns.row = [];
  };

  for (let index = 0; index < lines.length; index += 1) {
    const line = lines[index] as DocumentLine;
    const trimmed = line.text.trim();
    if (columns) {
      // A simple table's row is a line and it ends at a blank line; a multiline table's rows are
      // separated by blank lines and it ends at a rule.
      const ends = FULL_RULE.test(trimmed) || columnStarts(line.text) !== undefined || (trimmed === "" && !columns.multiline);
      if (trimmed === "" || ends) closeRow();
      if (ends) columns = undefined;
      else if (trimmed !== "") {
        columns.row.push(line);
        if (!columns.multiline) closeRow();
      }
      continue;
    }
    const starts = columnStarts(line.text);
    if (starts && (open === undefined || (open.kind === "paragraph" && open.lines.length <= 2))) {
      // The header line(s) above the rule are the table's first row; a full-width rule above them makes it a multiline table.
      const header = open?.lines ?? [];
      open = undefined;
      const before = lines[index - header.length - 1];
      columns = {
        starts,
        multiline: before !== undefined && FULL_RULE.test(before.text) && before.number === (header[0]?.number ?? line.number) - 1,
        row: header,
      };
      closeRow();
      continue;
    }
    if (trimmed === "" || FENCE.test(trimmed)) {
      close();
      continue;
    }
    const heading = headingAt(texts, index);
    if (heading) {
      close();
      while (stack.length > 0 && (stack.at(-1)?.level ?? 0) >= heading.level) stack.pop();
      stack.push({ level: heading.level, title: heading.title });
      path = stack.map((entry) => entry.title);
      blocks.push({ kind: "heading", sectionPath: path, segments: [segment(lines.slice(index, index + 1))] });
      index += heading.span - 1;
      continue;
    }
    if (/<table\b/i.test(trimmed)) {
      close();
      let end = index;
      while (end < lines.length - 1 && !/<\/table>/i.test(lines[end]?.text ?? "")) end += 1;
      for (const row of htmlRows(lines.slice(index, end + 1), paged)) blocks.push({ kind: "table-row", sectionPath: path, segments: row.segments });
      index = end;
      continue;
    }
    if (isTableRule(trimmed)) {
      close();
      // Rows go on after a delimiter row for as long as lines hold a pipe (GFM).
      open = { kind: "table-row", lines: [] };
      // A grid table row: the pipe lines up to the next rule are one row, cells wrapped over them.
      if (trimmed.startsWith("+")) {
        let end = index + 1;
        while (end < lines.length && PIPE_ROW.test(lines[end]?.text ?? "")) end += 1;
        if (end > index + 1) blocks.push({ kind: "table-row", sectionPath: path, segments: pipeRowSegments(lines.slice(index + 1, end), paged) });
        index = end - 1;
      }
      continue;
    }
    if (PIPE_ROW.test(trimmed) || (trimmed.includes("|") && (isTableRule(texts[index + 1] ?? "") || open?.kind === "table-row"))) {
      close();
      blocks.push({ kind: "table-row", sectionPath: path, segments: pipeRowSegments([line], paged) });
      open = { kind: "table-row", lines: [] };
      continue;
    }
    if (LABEL.test(trimmed)) {
      start("label", line);
      close();
      continue;
    }
    if (LIST_MARKER.test(line.text)) {
      start("list-item", line);
      continue;
    }
    if (NUMBERED_PARAGRAPH.test(line.text) || LABELLED_LINE.test(line.text) || open === undefined || open.kind === "table-row") {
      start("paragraph", line);
      continue;
    }
    if (open.kind === "list-item" && !/^\s{2,}/.test(line.text) && startsAfresh(open.lines.at(-1)?.text ?? "", trimmed)) {
      // A list item without end punctuation and the paragraph after it (Markdown would run
      // them together as a "lazy continuation"): the item ends where a new sentence starts.
      start("paragraph", line);
      continue;
    }
    open.lines.push(line);
  }
  close();
  closeRow();
  return blocks;
}

/** Whether `next`, unindented after a list item's last line `previous`, starts a new sentence. */
function startsAfresh(previous: string, next: string): boolean {
  if (/[.!?;:]["”’)]?\s*$/.test(previous)) return true;
  return /^[A-Z][a-z]/.test(next) && !CONTINUES.test(previous.trim());
}
