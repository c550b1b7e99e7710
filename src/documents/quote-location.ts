import { lineIndexAt } from "./block-pieces.js";
import type { DocumentBlock, TextSegment } from "./block-types.js";
import { sentenceSpans } from "./sentences.js";

/**
 * Where a quote from a chunk is in the document: the one segment (a paragraph, list item,
 * label or table cell) that holds it, and in it the whole sentence(s) the quote is part of, with
 * their section, lines and pages. A quote is compared with case, white space, typographic
 * quotes, Markdown emphasis and escapes aside, and a trailing full stop the document did not
 * write is forgiven. A quote that runs from one segment into the next is not found: it glues
 * two sentences the document keeps apart.
 */

export interface QuoteCitation {
  sectionPath: string[];
  startLine: number;
  endLine: number;
  pages?: { first: number; last: number };
  /** The sentence(s) holding the quote, as the document writes them (line breaks read as spaces). */
  sentence: string;
}

export type QuoteLocation =
  | { found: true; citation: QuoteCitation }
  /** `crosses`: the quote runs across segments; `parts` are the texts it joins. */
  | { found: false; reason: "absent" }
  | { found: false; reason: "crosses"; parts: [string, string] };

interface Normalised {
  text: string;
  /** For each character of `text`, its offset in the original. */
  offsets: number[];
}

const FOLD: Record<string, string> = { "“": '"', "”": '"', "„": '"', "‘": "'", "’": "'", "–": "-", "—": "-", "\u00a0": " " };

// Segments are searched for every quote of their chunk: normalise each once.
const normalisedSegments = new WeakMap<TextSegment, Normalised>();
function normalisedSegment(segment: TextSegment): Normalised {
  let normalised = normalisedSegments.get(segment);
  if (!normalised) {
    normalised = normalise(segment.text);
    normalisedSegments.set(segment, normalised);
  }
  return normalised;
}

function normalise(original: string): Normalised {
  let text = "";
  const offsets: number[] = [];
  for (let index = 0; index < original.length; index += 1) {
    const character = original[index] ?? "";
    if (character === "*" || character === "\\") continue;
    const folded = (FOLD[character] ?? character).toLowerCase();
    if (/\s/.test(folded)) {
      if (text === "" || text.endsWith(" ")) continue;
      text += " ";
    } else text += folded;
    offsets.push(index);
  }
  if (text.endsWith(" ")) {
    text = text.slice(0, -1);
    offsets.pop();
  }
  return { text, offsets };
}

/** The quote as it is searched for: normalised, without wrapping quotation marks or a final stop. */
function needle(quote: string): string {
  return normalise(quote)
    .text.replace(/^["']+|["']+$/g, "")
    .replace(/[.;,]+$/, "")
    .trim();
}

function citationIn(block: DocumentBlock, segment: TextSegment, start: number, end: number): QuoteCitation {
  const sentences = sentenceSpans(segment.text).filter((span) => span.end > start && span.start < end);
  const from = Math.min(start, ...sentences.map((span) => span.start));
  const to = Math.max(end, ...sentences.map((span) => span.end));
  const first = lineIndexAt(segment.text, from);
  const last = lineIndexAt(segment.text, Math.max(from, to - 1));
  const pages = segment.pages?.slice(first, last + 1);
  return {
    sectionPath: block.sectionPath,
    startLine: segment.lines[first] ?? segment.lines[0] ?? 0,
    endLine: segment.lines[last] ?? segment.lines.at(-1) ?? 0,
    ...(pages && pages.length > 0 ? { pages: { first: Math.min(...pages), last: Math.max(...pages) } } : {}),
    // A bullet is layout, not words; a list's number is kept ("2. The invoice must…").
    sentence: segment.text
      .slice(from, to)
      .replace(/\s*\n\s*/g, " ")
      .replace(/^[-*+•●▪◦‣]\s+/, ""),
  };
}

/** Where `quote` is among `blocks` (a chunk's), or why it is not there. */
export function locateQuote(blocks: ReadonlyArray<DocumentBlock>, quote: string): QuoteLocation {
  const wanted = needle(quote);
  if (wanted === "") return { found: false, reason: "absent" };
  const segments = blocks.flatMap((block) => block.segments.map((segment) => ({ block, segment, normalised: normalisedSegment(segment) })));
  for (const { block, segment, normalised } of segments) {
    const at = normalised.text.indexOf(wanted);
    if (at < 0) continue;
    const start = normalised.offsets[at] ?? 0;
    const end = (normalised.offsets[at + wanted.length - 1] ?? start) + 1;
    return { found: true, citation: citationIn(block, segment, start, end) };
  }
  // Not in one segment: is it two of them run together?
  let joined = "";
  const starts: number[] = [];
  for (const { normalised } of segments) {
    if (joined !== "") joined += " ";
    starts.push(joined.length);
    joined += normalised.text;
  }
  const at = joined.indexOf(wanted);
  if (at < 0) return { found: false, reason: "absent" };
  const segmentAt = (offset: number): string =>
    segments[
      Math.max(
        0,
        starts.findLastIndex((start) => start <= offset),
      )
    ]?.segment.text ?? "";
  return { found: false, reason: "crosses", parts: [segmentAt(at), segmentAt(at + wanted.length - 1)] };
}
