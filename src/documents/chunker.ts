import { BatonError } from "../core/errors.js";
import { estimateTokens } from "./token-estimate.js";

/**
 * A long document into chunks a model can read whole: split at headings first (Markdown `#`,
 * setext underlines, numbered headings such as `3.2 Availability` or `Section 4: Security` on
 * a line of their own), then by size at paragraph, then sentence, then word boundaries — never
 * inside a word. Each chunk keeps its section path and the line numbers (and PDF pages, when
 * the text has form feeds between pages) it came from, and starts with a little of the previous
 * chunk's end, so a requirement straddling a cut is seen whole by one of them.
 */

export interface DocumentChunk {
  index: number;
  text: string;
  /** The headings the chunk sits under, outermost first. */
  sectionPath: string[];
  /** 1-based lines of the original text, a form feed counting as a line break (overlap not counted). */
  startLine: number;
  endLine: number;
  /** 1-based pages, when the text has form feeds between pages. */
  pages?: { first: number; last: number };
  tokenEstimate: number;
}

export interface ChunkOptions {
  maxTokens: number;
  /** Tokens of the previous chunk's end (whole sentences) repeated at the start. Default 0. */
  overlapTokens?: number;
}

interface Line {
  number: number;
  page: number;
  text: string;
}

interface Heading {
  level: number;
  title: string;
  /** Lines the heading uses (2 for a setext heading). */
  span: number;
}

const MARKDOWN_HEADING = /^(#{1,6})\s+(.+?)\s*#*\s*$/;
// "3", "3.2", "3.2.1" then a capitalised title; or "Section 4: Title". A numbered list item in
// prose ("1. The vendor must…") is a sentence, not a title: titles are short and end without a period.
const NUMBERED_HEADING = /^((?:\d+\.)*\d+)\.?\s+([A-Z][^.!?]{1,80})$/;
const SECTION_HEADING = /^(?:section|part|chapter|appendix)\s+([\dA-Z]+(?:\.\d+)*)\s*[:.\-–]\s*(.{2,80})$/i;

function headingAt(lines: ReadonlyArray<Line>, index: number): Heading | undefined {
  const text = lines[index]?.text.trim() ?? "";
  if (text === "") return undefined;
  const markdown = MARKDOWN_HEADING.exec(text);
  if (markdown) return { level: markdown[1]?.length ?? 1, title: markdown[2] ?? text, span: 1 };
  const next = lines[index + 1]?.text.trim() ?? "";
  if (/^=+$/.test(next) && next.length >= 3) return { level: 1, title: text, span: 2 };
  if (/^-+$/.test(next) && next.length >= 3 && !text.startsWith("|")) return { level: 2, title: text, span: 2 };
  const section = SECTION_HEADING.exec(text);
  if (section) return { level: (section[1]?.split(".").length ?? 1), title: text, span: 1 };
  const numbered = NUMBERED_HEADING.exec(text);
  // "2. The vendor confirms, in writing, the schedule" is a list item: titles have no commas,
  // and one written "N." (a list's style) is a short phrase.
  const listStyle = /^\d+\.\s/.test(text);
  if (numbered && !text.includes(",") && text.split(/\s+/).length <= (listStyle ? 6 : 12)) return { level: numbered[1]?.split(".").length ?? 1, title: text, span: 1 };
  return undefined;
}

interface Section {
  path: string[];
  lines: Line[];
}

function sectionsOf(lines: ReadonlyArray<Line>): Section[] {
  const sections: Section[] = [];
  const stack: Array<{ level: number; title: string }> = [];
  let current: Section = { path: [], lines: [] };
  for (let index = 0; index < lines.length; index += 1) {
    const heading = headingAt(lines, index);
    if (heading) {
      if (current.lines.some((line) => line.text.trim() !== "")) sections.push(current);
      while (stack.length > 0 && (stack.at(-1)?.level ?? 0) >= heading.level) stack.pop();
      stack.push({ level: heading.level, title: heading.title });
      current = { path: stack.map((entry) => entry.title), lines: [] };
      for (let offset = 0; offset < heading.span; offset += 1) {
        const line = lines[index + offset];
        if (line) current.lines.push(line);
      }
      index += heading.span - 1;
      continue;
    }
    const line = lines[index];
    if (line) current.lines.push(line);
  }
  if (current.lines.length > 0) sections.push(current);
  return sections;
}

/** Pieces of a section no larger than `maxTokens`: paragraphs, or sentences, or words of an overlong sentence. */
function piecesOf(section: Section, maxTokens: number): Line[][] {
  const paragraphs: Line[][] = [];
  let paragraph: Line[] = [];
  for (const line of section.lines) {
    if (line.text.trim() === "") {
      if (paragraph.length > 0) paragraphs.push(paragraph);
      paragraph = [];
    } else paragraph.push(line);
  }
  if (paragraph.length > 0) paragraphs.push(paragraph);
  const pieces: Line[][] = [];
  for (const lines of paragraphs) {
    if (estimateTokens(lines.map((line) => line.text).join("\n")) <= maxTokens) {
      pieces.push(lines);
      continue;
    }
    // An overlong paragraph: by sentence, and an overlong sentence by words, keeping line numbers.
    for (const line of lines) {
      const sentences = line.text.split(/(?<=[.!?])\s+/);
      for (const sentence of sentences) {
        if (estimateTokens(sentence) <= maxTokens) {
          pieces.push([{ ...line, text: sentence }]);
          continue;
        }
        let words: string[] = [];
        for (const word of sentence.split(/\s+/)) {
          if (words.length > 0 && estimateTokens([...words, word].join(" ")) > maxTokens) {
            pieces.push([{ ...line, text: words.join(" ") }]);
            words = [];
          }
          words.push(word);
        }
        if (words.length > 0) pieces.push([{ ...line, text: words.join(" ") }]);
      }
    }
  }
  return pieces;
}

/** The last whole sentences of `text` within `tokens`. */
function tail(text: string, tokens: number): string {
  if (tokens <= 0) return "";
  const sentences = text.split(/(?<=[.!?])\s+/);
  const kept: string[] = [];
  for (let index = sentences.length - 1; index >= 0; index -= 1) {
    const candidate = [sentences[index] ?? "", ...kept].join(" ");
    if (estimateTokens(candidate) > tokens) break;
    kept.unshift(sentences[index] ?? "");
  }
  return kept.join(" ").trim();
}

export function chunkDocument(text: string, options: ChunkOptions): DocumentChunk[] {
  if (text.replace(/\f/g, "").trim() === "") {
    throw new BatonError("DOCUMENT_EMPTY", "The document has no text to read. Give the RFP's text (a text PDF, Markdown or plain text), not an empty or scanned file.", {});
  }
  const maxTokens = Math.max(50, options.maxTokens);
  const overlap = Math.min(options.overlapTokens ?? 0, Math.floor(maxTokens / 4));
  const hasPages = text.includes("\f");
  // A form feed (a PDF page break) starts a new page and ends a line; lines are numbered by
  // newlines and form feeds alike.
  let page = 1;
  const lines: Line[] = [];
  for (const [index, raw] of text.split(/\n|(?<=\f)/).entries()) {
    const pageBreak = raw.endsWith("\f");
    lines.push({ number: index + 1, page, text: pageBreak ? raw.slice(0, -1) : raw });
    if (pageBreak) page += 1;
  }

  const chunks: DocumentChunk[] = [];
  const emit = (path: string[], body: Line[], previous: string): void => {
    const own = body.map((line) => line.text).join("\n").trim();
    if (own === "") return;
    const carried = tail(previous, overlap);
    const chunkText = carried === "" ? own : `${carried}\n\n${own}`;
    const first = body[0] as Line;
    const last = body.at(-1) as Line;
    chunks.push({
      index: chunks.length,
      text: chunkText,
      sectionPath: path,
      startLine: first.number,
      endLine: last.number,
      ...(hasPages ? { pages: { first: first.page, last: last.page } } : {}),
      tokenEstimate: estimateTokens(chunkText),
    });
  };

  let previous = "";
  for (const section of sectionsOf(lines)) {
    let body: Line[] = [];
    for (const piece of piecesOf(section, maxTokens - overlap)) {
      const candidate = [...body, ...piece];
      if (body.length > 0 && estimateTokens(candidate.map((line) => line.text).join("\n")) > maxTokens - overlap) {
        emit(section.path, body, previous);
        previous = body.map((line) => line.text).join("\n");
        body = [...piece];
      } else body = candidate;
    }
    if (body.length > 0) {
      emit(section.path, body, previous);
      previous = body.map((line) => line.text).join("\n");
    }
  }
  return chunks;
}
