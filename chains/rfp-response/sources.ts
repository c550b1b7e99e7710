import { locateQuote, type ChunkSection, type DocumentBlock, type QuoteCitation } from "../../src/chain-api.js";
import type { ChunkRequirements } from "./schemas.js";

/**
 * Where each extracted requirement comes from. Its id is E<chunk>.<n>; its source is where its
 * quote is in the RFP — the section, lines and pages of the sentence itself, not of the whole
 * chunk — and that sentence as the RFP writes it.
 */

export interface ChunkItem {
  index: number;
  text: string;
  sectionPath: string[];
  sections: ChunkSection[];
  startLine: number;
  endLine: number;
  pages?: { first: number; last: number };
  blocks: DocumentBlock[];
}

export interface SourceReference {
  /** "Section › Subsection", or "start" before the first heading. */
  section: string;
  /** "598" or "598-600". */
  lines: string;
  /** "12" or "12-13", when the document has pages. */
  pages?: string;
  /** The sentence(s) stating the requirement, as the RFP writes them. */
  sentence: string;
}

export interface ExtractedRequirement {
  id: string;
  text: string;
  category: string;
  priority: string;
  source: SourceReference;
}

const range = (first: number, last: number): string => (first === last ? String(first) : `${String(first)}-${String(last)}`);
const sectionName = (path: ReadonlyArray<string>): string => path.join(" › ") || "start";

function referenceOf(citation: QuoteCitation): SourceReference {
  return {
    section: sectionName(citation.sectionPath),
    lines: range(citation.startLine, citation.endLine),
    ...(citation.pages ? { pages: range(citation.pages.first, citation.pages.last) } : {}),
    sentence: citation.sentence,
  };
}

/** The citation people read: "4.0 Pricing, line 598 (page 12)". */
export function describeSource(source: SourceReference): string {
  const lines = source.lines.includes("-") ? `lines ${source.lines}` : `line ${source.lines}`;
  const pages = source.pages === undefined ? "" : source.pages.includes("-") ? ` (pages ${source.pages})` : ` (page ${source.pages})`;
  return `${source.section}, ${lines}${pages}`;
}

/** Every extracted requirement with its id and source, in document order. */
export function extractedRequirements(chunks: ReadonlyArray<ChunkItem>, extracted: ReadonlyArray<ChunkRequirements>): ExtractedRequirement[] {
  return extracted.flatMap((answer, chunkIndex) => {
    const chunk = chunks[chunkIndex];
    return answer.requirements.map((requirement, index) => {
      const location = chunk ? locateQuote(chunk.blocks, requirement.quote) : undefined;
      // The extract step's check only lets through quotes it found; an answer edited by hand
      // at an approval may not have been: cite the chunk, which holds all of its text.
      const source: SourceReference = location?.found
        ? referenceOf(location.citation)
        : {
            section: sectionName(chunk?.sectionPath ?? []),
            lines: range(chunk?.startLine ?? 0, chunk?.endLine ?? 0),
            ...(chunk?.pages ? { pages: range(chunk.pages.first, chunk.pages.last) } : {}),
            sentence: requirement.quote,
          };
      return {
        id: `E${String(chunkIndex + 1)}.${String(index + 1)}`,
        text: requirement.text,
        category: requirement.category,
        priority: requirement.priority,
        source,
      };
    });
  });
}
