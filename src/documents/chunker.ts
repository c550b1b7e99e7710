import { BatonError } from "../core/errors.js";
import { blockPieces, sentenceTail, type CountTokens } from "./block-pieces.js";
import { lineSpan, renderBlock, renderBlocks, type DocumentBlock } from "./block-types.js";
import { documentBlocks } from "./document-blocks.js";
import { estimateTokens } from "./token-estimate.js";

/**
 * A long document into chunks a model can read whole. The document is read into blocks
 * (headings, paragraphs, list items, labels, table rows: see `document-blocks.ts`); blocks are
 * packed in order up to the token budget, several small sections to a chunk, and a chunk ends
 * at a section's start when that section would fit whole in the next one. A block longer than
 * the budget is cut by cells, sentences, then words, and a word longer than the budget by
 * characters, so no chunk is over the budget. A heading never ends a chunk (it goes with what it
 * heads), so no chunk is a lone heading.
 *
 * A chunk may start with a little of the previous chunk's end (overlap) for context, but only
 * within the same section and only whole blocks — or a paragraph's last whole sentences — so it
 * never crosses a heading or starts inside a table row or list item. A chunk's citation (its
 * sections with their line ranges, its lines and pages) covers exactly the blocks it holds,
 * overlap included.
 */

export interface ChunkSection {
  /** The headings, outermost first. */
  path: string[];
  startLine: number;
  endLine: number;
  pages?: { first: number; last: number };
}

export interface DocumentChunk {
  index: number;
  /** What the model reads: the blocks, paragraph breaks, list items and table rows kept. */
  text: string;
  /** The section the chunk starts in (the first of `sections`). */
  sectionPath: string[];
  /** Every section the chunk holds text of, in order, each with the lines it holds. */
  sections: ChunkSection[];
  /** 1-based lines of the original text the chunk holds, overlap included (a form feed ends a line). */
  startLine: number;
  endLine: number;
  /** 1-based pages, when the text has form feeds between pages. */
  pages?: { first: number; last: number };
  /** How many of `blocks` at the start repeat the previous chunk's end. */
  overlapBlocks: number;
  /** The blocks the chunk holds, each segment with its lines: where a quote in the chunk is. */
  blocks: DocumentBlock[];
  /** `text` counted with the chunker's `countTokens`. */
  tokens: number;
}

export interface ChunkOptions {
  /**
   * Every chunk's `tokens` is at most this, whatever the text: a block longer than the budget is
   * cut by cells, sentences, words and, for a word longer than the budget, characters. At least
   * `MIN_CHUNK_TOKENS`; a smaller budget is INPUT_INVALID.
   */
  maxTokens: number;
  /** Tokens of the previous chunk's end repeated at the start (same section only). Default 0. */
  overlapTokens?: number;
  /**
   * Counts a text's tokens; the budget is in these. Default: an estimate of four characters a token.
   * Blocks are counted one by one and a line break or two between them as one token, so a counter
   * must not count joined text dearer than that (the estimate and BPE tokenizers do not).
   */
  countTokens?: CountTokens;
}

/** The smallest budget a document is chunked to. */
export const MIN_CHUNK_TOKENS = 50;
/** What joining two blocks with a line break or two adds. */
const JOIN_TOKENS = 1;
const sameSection = (left: DocumentBlock, right: DocumentBlock): boolean => left.sectionPath.join("\u0000") === right.sectionPath.join("\u0000");

export function chunkDocument(text: string, options: ChunkOptions): DocumentChunk[] {
  const countTokens = options.countTokens ?? estimateTokens;
  const maxTokens = options.maxTokens;
  // Below this no chunk is sure to hold a heading and a sentence's words; the budget is not
  // raised behind the caller's back, as chunks over the budget they asked for would overflow
  // whatever they size by it.
  if (!Number.isFinite(maxTokens) || maxTokens < MIN_CHUNK_TOKENS) {
    throw new BatonError(
      "INPUT_INVALID",
      `A chunk budget of ${String(maxTokens)} tokens is too small to chunk a document. Give chunkDocument a maxTokens of at least ${String(MIN_CHUNK_TOKENS)} (a few hundred or more reads best).`,
      { maxTokens },
    );
  }
  const overlap = Math.min(Math.max(0, options.overlapTokens ?? 0), Math.floor(maxTokens / 4));
  const read = text.replace(/\f/g, "").trim() === "" ? [] : documentBlocks(text);
  // A piece leaves room for what may come before it in its chunk: the overlap, or the headings
  // it goes with (a chunk starting at a section carries them and no overlap).
  // A longer run of headings than a quarter of the budget (a table of contents) is not carried.
  const carryLimit = Math.floor(maxTokens / 4);
  // A carried run is up to `carryLimit` tokens and then joined to the piece: room for the join too.
  const headingRoom = Math.min(longestHeadingRun(read, countTokens), carryLimit + JOIN_TOKENS);
  const blocks = read.flatMap((block) => blockPieces(block, maxTokens - Math.max(overlap, headingRoom), countTokens));
  if (!blocks.some((block) => block.kind !== "heading")) {
    throw new BatonError(
      "DOCUMENT_EMPTY",
      "The document has no text to read. Give the RFP's text (a text PDF, Markdown or plain text), not an empty or scanned file.",
      {},
    );
  }
  const tokensOf = new Map<DocumentBlock, number>(blocks.map((block) => [block, countTokens(renderBlock(block))]));
  const cost = (block: DocumentBlock): number => tokensOf.get(block) ?? countTokens(renderBlock(block));
  const total = (list: ReadonlyArray<DocumentBlock>): number => list.reduce((sum, block, index) => sum + cost(block) + (index > 0 ? JOIN_TOKENS : 0), 0);

  const packed: Array<{ blocks: DocumentBlock[]; overlap: number }> = [];
  let current: { blocks: DocumentBlock[]; overlap: number; tokens: number } = { blocks: [], overlap: 0, tokens: 0 };
  /** Where the current chunk may end: before its trailing headings, unless they are too many to carry on. */
  const endOfCurrent = (): number => {
    let end = current.blocks.length;
    while (end > current.overlap && current.blocks[end - 1]?.kind === "heading") end -= 1;
    return total(current.blocks.slice(end)) <= carryLimit ? end : current.blocks.length;
  };
  /** Whether the current chunk, ended there, holds more than overlap and a lone heading. */
  const canEnd = (): boolean => {
    const own = current.blocks.slice(current.overlap, endOfCurrent());
    return own.some((block) => block.kind !== "heading") || own.length > 1;
  };

  /** Ends the current chunk before `next`: its trailing headings move on with `next`, and the next chunk may start with overlap. */
  const flush = (next: DocumentBlock): void => {
    const end = endOfCurrent();
    const carried = current.blocks.slice(end);
    const kept = current.blocks.slice(0, end);
    packed.push({ blocks: kept, overlap: current.overlap });
    const start = carried.length > 0 || next.kind === "heading" ? [] : overlapBefore(kept, next);
    current = { blocks: [...start, ...carried], overlap: start.length, tokens: total([...start, ...carried]) };
  };
  /** The end of `previous` to repeat before `next`: same section, no heading, whole blocks or a paragraph's last sentences. */
  const overlapBefore = (previous: ReadonlyArray<DocumentBlock>, next: DocumentBlock): DocumentBlock[] => {
    const taken: DocumentBlock[] = [];
    let room = cost(next) + JOIN_TOKENS + overlap <= maxTokens ? overlap : 0;
    for (let index = previous.length - 1; index >= 0 && room > 0; index -= 1) {
      const block = previous[index] as DocumentBlock;
      if (block.kind === "heading" || !sameSection(block, next)) break;
      if (cost(block) + JOIN_TOKENS <= room) {
        taken.unshift(block);
        room -= cost(block) + JOIN_TOKENS;
        continue;
      }
      // Only a paragraph may be entered, and then at a sentence's start.
      const tail = block.kind === "paragraph" ? sentenceTail(block, room - JOIN_TOKENS, countTokens) : undefined;
      if (tail) {
        tokensOf.set(tail, countTokens(renderBlock(tail)));
        taken.unshift(tail);
      }
      break;
    }
    return taken;
  };

  /**
   * A document that ends with headings: they head nothing, but they are the document's text, so
   * they go with the last chunk — within the budget, as nothing was counted for them when that
   * chunk was packed. Failing that, the last chunk without its overlap; failing that, the last
   * chunk's last block (with the headings over it, when they fit) moves on to a chunk of its own
   * with them. When none of these fits (the last block, its headings and these fill the budget
   * and nothing else can stay behind), they are left out: a chunk of a heading alone would give
   * the model nothing to read, and they head nothing to cite. After a table of contents chunked
   * as text they are more of it, a chunk of their own.
   */
  const withEndingHeadings = (
    chunk: { blocks: DocumentBlock[]; overlap: number },
    headings: DocumentBlock[],
  ): Array<{ blocks: DocumentBlock[]; overlap: number }> => {
    const within = (list: ReadonlyArray<DocumentBlock>): boolean => total(list) <= maxTokens;
    if (within([...chunk.blocks, ...headings])) return [{ blocks: [...chunk.blocks, ...headings], overlap: chunk.overlap }];
    const chunkOwn = chunk.blocks.slice(chunk.overlap);
    if (within([...chunkOwn, ...headings])) return [{ blocks: [...chunkOwn, ...headings], overlap: 0 }];
    const lastText = chunkOwn.findLastIndex((block) => block.kind !== "heading");
    // The last chunk is a run of headings chunked as text (a table of contents): these go on with it.
    if (lastText < 0) return [chunk, { blocks: headings, overlap: 0 }];
    let headed = lastText;
    while (headed > 0 && chunkOwn[headed - 1]?.kind === "heading") headed -= 1;
    for (const cut of [headed, lastText]) {
      const kept = chunkOwn.slice(0, cut);
      const moved = [...chunkOwn.slice(cut), ...headings];
      if (kept.some((block) => block.kind !== "heading") && within(moved))
        return [
          { blocks: [...chunk.blocks.slice(0, chunk.overlap), ...kept], overlap: chunk.overlap },
          { blocks: moved, overlap: 0 },
        ];
    }
    return [chunk];
  };

  blocks.forEach((block, index) => {
    const fits = (tokens: number): boolean => current.tokens + (current.blocks.length > 0 ? JOIN_TOKENS : 0) + tokens <= maxTokens;
    if (block.kind === "heading" && canEnd()) {
      // A section that fits a chunk of its own is not split across two.
      let next = index + 1;
      while (next < blocks.length && blocks[next]?.kind !== "heading") next += 1;
      const section = total(blocks.slice(index, next));
      if (!fits(section) && section <= maxTokens) flush(block);
    }
    if (!fits(cost(block)) && canEnd()) flush(block);
    current.tokens += (current.blocks.length > 0 ? JOIN_TOKENS : 0) + cost(block);
    current.blocks.push(block);
  });
  const own = current.blocks.slice(current.overlap);
  const last = packed.at(-1);
  if (!last || own.some((block) => block.kind !== "heading") || (own.length > 1 && total(own) > carryLimit))
    packed.push({ blocks: current.blocks, overlap: current.overlap });
  else if (own.length > 0) packed.splice(-1, 1, ...withEndingHeadings(last, own));

  return packed.map((chunk, index) => chunkOf(index, chunk.blocks, chunk.overlap, countTokens));
}

/** The tokens of the longest run of consecutive headings, joins included. */
function longestHeadingRun(blocks: ReadonlyArray<DocumentBlock>, countTokens: CountTokens): number {
  let longest = 0;
  let run = 0;
  for (const block of blocks) {
    run = block.kind === "heading" ? run + countTokens(renderBlock(block)) + JOIN_TOKENS : 0;
    longest = Math.max(longest, run);
  }
  return longest;
}

function pagesOf(blocks: ReadonlyArray<DocumentBlock>): { first: number; last: number } | undefined {
  const pages = blocks.flatMap((block) => block.segments.flatMap((segment) => segment.pages ?? []));
  return pages.length > 0 ? { first: Math.min(...pages), last: Math.max(...pages) } : undefined;
}

function chunkOf(index: number, blocks: DocumentBlock[], overlapBlocks: number, countTokens: CountTokens): DocumentChunk {
  const groups: DocumentBlock[][] = [];
  for (const block of blocks) {
    const group = groups.at(-1);
    if (group?.[0] && sameSection(group[0], block)) group.push(block);
    else groups.push([block]);
  }
  const sections = groups.map((group): ChunkSection => {
    const span = lineSpan(group);
    const pages = pagesOf(group);
    return { path: group[0]?.sectionPath ?? [], startLine: span.first, endLine: span.last, ...(pages ? { pages } : {}) };
  });
  const text = renderBlocks(blocks);
  const span = lineSpan(blocks);
  const pages = pagesOf(blocks);
  return {
    index,
    text,
    sectionPath: sections[0]?.path ?? [],
    sections,
    startLine: span.first,
    endLine: span.last,
    ...(pages ? { pages } : {}),
    overlapBlocks,
    blocks,
    tokens: countTokens(text),
  };
}
