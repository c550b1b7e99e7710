import type { DocumentBlock, TextSegment } from "./block-types.js";
import { renderBlock } from "./block-types.js";
import { sentenceSpans } from "./sentences.js";

/**
 * Blocks cut to fit a token budget, at the best boundary the text offers: a table row by its
 * cells, a cell or paragraph by whole sentences, only a sentence longer than the whole budget by
 * words, and only a word longer than the whole budget (a long URL, a run of symbols) by
 * characters, so every piece is within the budget whatever the text. Every piece keeps the lines
 * (and pages) it came from.
 */

export type CountTokens = (text: string) => number;

/** The part [start, end) of a segment's text, trimmed, with its own lines and pages. */
export function segmentPart(segment: TextSegment, start: number, end: number): TextSegment {
  while (start < end && /\s/.test(segment.text[start] ?? "")) start += 1;
  while (end > start && /\s/.test(segment.text[end - 1] ?? "")) end -= 1;
  const first = lineIndexAt(segment.text, start);
  const last = lineIndexAt(segment.text, Math.max(start, end - 1));
  return {
    text: segment.text.slice(start, end),
    lines: segment.lines.slice(first, last + 1),
    ...(segment.pages ? { pages: segment.pages.slice(first, last + 1) } : {}),
  };
}

/** Which line of `text` (0-based) the character at `offset` is on. */
export function lineIndexAt(text: string, offset: number): number {
  let count = 0;
  for (let index = 0; index < offset && index < text.length; index += 1) if (text[index] === "\n") count += 1;
  return count;
}

/** Consecutive spans grouped greedily into parts of at most `limit` tokens. */
function grouped(
  segment: TextSegment,
  spans: ReadonlyArray<{ start: number; end: number }>,
  limit: number,
  countTokens: CountTokens,
): Array<{ start: number; end: number }> {
  const parts: Array<{ start: number; end: number }> = [];
  let current: { start: number; end: number } | undefined;
  for (const span of spans) {
    if (current && countTokens(segment.text.slice(current.start, span.end)) <= limit) current = { start: current.start, end: span.end };
    else {
      if (current) parts.push(current);
      current = { ...span };
    }
  }
  if (current) parts.push(current);
  return parts;
}

const graphemes = new Intl.Segmenter("en", { granularity: "grapheme" });

/**
 * A word's characters as spans: the last resort for a word longer than the budget. Graphemes,
 * so a cut does not part a letter from its accent; a grapheme longer than the budget on its own
 * (a letter under hundreds of combining marks) by code points, which are a few tokens at most.
 */
function characterSpans(
  segment: TextSegment,
  word: { start: number; end: number },
  limit: number,
  countTokens: CountTokens,
): Array<{ start: number; end: number }> {
  return [...graphemes.segment(segment.text.slice(word.start, word.end))].flatMap(({ segment: grapheme, index }) => {
    const start = word.start + index;
    if (countTokens(grapheme) <= limit) return [{ start, end: start + grapheme.length }];
    let offset = start;
    return Array.from(grapheme, (codePoint) => {
      offset += codePoint.length;
      return { start: offset - codePoint.length, end: offset };
    });
  });
}

function segmentPieces(segment: TextSegment, limit: number, countTokens: CountTokens): TextSegment[] {
  if (countTokens(segment.text) <= limit) return [segment];
  const pieces: TextSegment[] = [];
  for (const part of grouped(segment, sentenceSpans(segment.text), limit, countTokens)) {
    if (countTokens(segment.text.slice(part.start, part.end)) <= limit) {
      pieces.push(segmentPart(segment, part.start, part.end));
      continue;
    }
    // One sentence longer than the budget: by words.
    const words = [...segment.text.slice(part.start, part.end).matchAll(/\S+/g)].map((word) => ({
      start: part.start + word.index,
      end: part.start + word.index + word[0].length,
    }));
    for (const wordsPart of grouped(segment, words, limit, countTokens)) {
      if (countTokens(segment.text.slice(wordsPart.start, wordsPart.end)) <= limit) pieces.push(segmentPart(segment, wordsPart.start, wordsPart.end));
      // One word longer than the budget: by characters.
      else
        for (const charactersPart of grouped(segment, characterSpans(segment, wordsPart, limit, countTokens), limit, countTokens))
          pieces.push(segmentPart(segment, charactersPart.start, charactersPart.end));
    }
  }
  return pieces;
}

/** `block` as blocks of at most `limit` tokens each (itself, when it fits). */
export function blockPieces(block: DocumentBlock, limit: number, countTokens: CountTokens): DocumentBlock[] {
  if (countTokens(renderBlock(block)) <= limit) return [block];
  const bySegment = block.segments.length > 1 ? block.segments.map((segment) => ({ ...block, segments: [segment] })) : [block];
  return bySegment.flatMap((part) => {
    const [segment] = part.segments;
    if (!segment || countTokens(renderBlock(part)) <= limit) return [part];
    // A table cell alone is rendered with its pipes: leave them room.
    const room = part.kind === "table-row" ? limit - countTokens("|  |") : limit;
    return segmentPieces(segment, room, countTokens).map((piece) => ({ ...part, segments: [piece] }));
  });
}

/** The last whole sentences of a one-segment block within `tokens`, as a block; undefined when none fits. */
export function sentenceTail(block: DocumentBlock, tokens: number, countTokens: CountTokens): DocumentBlock | undefined {
  const [segment] = block.segments;
  if (!segment || block.segments.length !== 1) return undefined;
  const spans = sentenceSpans(segment.text);
  let start: number | undefined;
  for (let index = spans.length - 1; index >= 0; index -= 1) {
    const span = spans[index];
    if (!span || countTokens(segment.text.slice(span.start, spans.at(-1)?.end)) > tokens) break;
    start = span.start;
  }
  return start === undefined ? undefined : { ...block, segments: [segmentPart(segment, start, segment.text.length)] };
}
