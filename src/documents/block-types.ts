/**
 * The pieces a document is read into before it is chunked. A block is a unit the document
 * itself marks off — a heading, a paragraph, a list item, a bold label, a table row — and a
 * segment is the run of text inside it that a sentence cannot cross: the block's text, or one
 * table cell. Each segment keeps the document line (and page) of each of its lines, so a quote
 * found in it is cited at exactly the lines that hold it. All plain JSON: chunks carry them
 * into a run's state.
 */

export type BlockKind = "heading" | "paragraph" | "list-item" | "label" | "table-row";

export interface TextSegment {
  /** The text as the document writes it; its lines are `lines.length` lines of the document. */
  text: string;
  /** The 1-based document line of each line of `text`. */
  lines: number[];
  /** The 1-based page of each line of `text`, when the document has pages (form feeds). */
  pages?: number[];
}

export interface DocumentBlock {
  kind: BlockKind;
  /** The headings the block sits under, outermost first (a heading block's own title last). */
  sectionPath: string[];
  segments: TextSegment[];
}

/** A block as the model reads it: a table row with its cells between pipes, anything else as written. */
export function renderBlock(block: DocumentBlock): string {
  if (block.kind !== "table-row") return block.segments.map((segment) => segment.text).join("\n");
  return `| ${block.segments.map((segment) => segment.text.replace(/\s*\n\s*/g, " ")).join(" | ")} |`;
}

/** Blocks as one text: table rows and list items one a line, other blocks a paragraph apart. */
export function renderBlocks(blocks: ReadonlyArray<DocumentBlock>): string {
  let text = "";
  blocks.forEach((block, index) => {
    const previous = blocks[index - 1];
    if (previous) text += previous.kind === block.kind && (block.kind === "table-row" || block.kind === "list-item") ? "\n" : "\n\n";
    text += renderBlock(block);
  });
  return text;
}

/** The first and last document lines a block covers. */
export function lineSpan(blocks: ReadonlyArray<DocumentBlock>): { first: number; last: number } {
  const lines = blocks.flatMap((block) => block.segments.flatMap((segment) => segment.lines));
  return { first: Math.min(...lines), last: Math.max(...lines) };
}
