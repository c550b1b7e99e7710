/**
 * Sentences of one segment of text (a paragraph, a list item, a table cell — never more than
 * one, so a sentence never runs across the boundaries the document marks), with
 * `Intl.Segmenter` (Unicode UAX #29 sentence boundaries, built into Node). UAX #29 ends a
 * sentence at every line break and after any full stop followed by a capital, so line breaks
 * inside the segment (a wrapped paragraph) are read as spaces, and a break after a common
 * abbreviation ("U.S. Government", "2:00 p.m. Eastern", "No. 5") or after a list number alone ("1. ") is joined back.
 */

export interface SentenceSpan {
  /** Offsets into the segment's text: [start, end), without surrounding white space. */
  start: number;
  end: number;
}

const segmenter = new Intl.Segmenter("en", { granularity: "sentence" });
const ABBREVIATION =
  /(?:\b[A-Z]\.(?:[A-Z]\.)*|\b(?:[a-z]\.){2,}|\b(?:Mr|Mrs|Ms|Dr|No|Nos|Inc|Ltd|Co|Corp|St|vs|etc|approx|Sec|Para|para|Fig|Art|Ref|e\.g|i\.e|cf|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.)\s*$/;
const ENUMERATOR = /^\s*(?:\d{1,3}|[a-zA-Z]|[ivxIVX]{1,4})[.)]\s*$/;

export function sentenceSpans(text: string): SentenceSpan[] {
  // Same length, so offsets stay offsets into `text`.
  const flat = text.replace(/[\r\n\f]/g, " ");
  const spans: SentenceSpan[] = [];
  let pending: SentenceSpan | undefined;
  for (const { segment, index } of segmenter.segment(flat)) {
    const span = pending ? { start: pending.start, end: index + segment.length } : { start: index, end: index + segment.length };
    const piece = flat.slice(span.start, span.end);
    if ((ABBREVIATION.test(piece) || ENUMERATOR.test(segment)) && index + segment.length < flat.length) {
      pending = span;
      continue;
    }
    pending = undefined;
    spans.push(trimmed(flat, span));
  }
  if (pending) spans.push(trimmed(flat, pending));
  return spans.filter((span) => span.end > span.start);
}

function trimmed(text: string, span: SentenceSpan): SentenceSpan {
  let { start, end } = span;
  while (start < end && /\s/.test(text[start] ?? "")) start += 1;
  while (end > start && /\s/.test(text[end - 1] ?? "")) end -= 1;
  return { start, end };
}

/** The sentences of `text` as strings. */
export function sentencesOf(text: string): string[] {
  return sentenceSpans(text).map((span) => text.slice(span.start, span.end));
}
