// What chunking costs the rfp-response chain: extract calls and their prompt tokens, chunk sizes,
// lone-heading chunks, and how many mandatory sentences are cited at a place that does not hold
// them, for generated RFQs of about 50 and 80 KB (test/support/rfq-generator.ts) and the long
// generated RFP of the chain's tests — with the chunker and prompts of this checkout ("after")
// and, given --before=<commit>, those of that commit ("before", read with `git show`).
//
//   npx tsx bench/rfp-chunks.ts --before=b430952
import { execFileSync } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { extractPrompt } from "../chains/rfp-response/prompts.js";
import { ChunkRequirements } from "../chains/rfp-response/schemas.js";
import { chunkDocument } from "../src/documents/chunker.js";
import { loadModelTokenCounter } from "../src/llm/model-token-count.js";
import { locateQuote } from "../src/documents/quote-location.js";
import type { PromptBudget } from "../src/core/prompt-budget.js";
import { generateRfp } from "../test/support/rfp-fixture.js";
import { generateRfq } from "../test/support/rfq-generator.js";

const CHUNK_TOKENS = 1_500;
const OVERLAP_TOKENS = 120;
const countTokens = await loadModelTokenCounter();
const schemaTokens = countTokens(JSON.stringify(z.toJSONSchema(ChunkRequirements)));
// The chunks are what is measured, so the prompt gets each one whole (gpt-4o-mini's window leaves room for any of them).
const wholeChunkBudget: PromptBudget = { model: "gpt-4o-mini", tokens: 100_000, count: countTokens, recordCut() {} };
const comparable = (text: string): string => text.toLowerCase().replace(/[*\\]/g, "").replace(/&amp;/g, "&").replace(/\s+/g, " ").trim();

interface Measured {
  chunks: number;
  promptTokens: number;
  underThousandCharacters: number;
  loneHeadings: number;
  paragraphBreaks: number;
  mustsMiscited: number;
  mustsGlued: number;
}

interface Document {
  name: string;
  text: string;
  musts: string[];
}

const documents: Document[] = [
  { name: "RFQ ~50 KB", ...generateRfq({ targetBytes: 50_000 }) },
  { name: "RFQ ~80 KB", ...generateRfq({ targetBytes: 80_000 }) },
  { name: "long RFP (tests)", text: generateRfp().markdown, musts: generateRfp().mustRequirements.map((must) => must.text) },
];

/** A sentence as delivered is the must as written: bullet and footnote mark aside. */
const sameSentence = (sentence: string, must: string): boolean =>
  comparable(sentence).replace(/\*$/, "") === comparable(must).replace(/^- /, "").replace(/\*$/, "");

/** Lines as the chunkers number them. */
const linesOf = (text: string): string[] => text.split(/\r\n?|\n|\f/);
const holds = (lines: ReadonlyArray<string>, first: number, last: number, sentence: string): boolean =>
  comparable(lines.slice(first - 1, last).join(" ")).includes(comparable(sentence));

function after(document: Document): Measured {
  const chunks = chunkDocument(document.text, { maxTokens: CHUNK_TOKENS, overlapTokens: OVERLAP_TOKENS, countTokens });
  const lines = linesOf(document.text);
  let mustsMiscited = 0;
  let mustsGlued = 0;
  for (const must of document.musts) {
    const citations = chunks.map((chunk) => locateQuote(chunk.blocks, must)).flatMap((location) => (location.found ? [location.citation] : []));
    if (citations.some((citation) => !holds(lines, citation.startLine, citation.endLine, must))) mustsMiscited += 1;
    if (!citations.some((citation) => sameSentence(citation.sentence, must))) mustsGlued += 1;
  }
  return {
    chunks: chunks.length,
    promptTokens: chunks.reduce(
      (sum, chunk) =>
        sum +
        countTokens(extractPrompt.system) +
        countTokens(extractPrompt.user("Request for Quotation", chunk, chunks.length, wholeChunkBudget)) +
        schemaTokens,
      0,
    ),
    underThousandCharacters: chunks.filter((chunk) => chunk.text.length < 1_000).length,
    loneHeadings: chunks.filter((chunk) => chunk.blocks.slice(chunk.overlapBlocks).every((block) => block.kind === "heading")).length,
    paragraphBreaks: chunks.reduce((sum, chunk) => sum + (chunk.text.match(/\n\n/g)?.length ?? 0), 0),
    mustsMiscited,
    mustsGlued,
  };
}

interface BeforeChunk {
  index: number;
  text: string;
  sectionPath: string[];
  startLine: number;
  endLine: number;
}
type BeforeChunker = (text: string, options: { maxTokens: number; overlapTokens?: number }) => BeforeChunk[];
type BeforePrompt = { system: string; user: (title: string, chunk: BeforeChunk, total: number) => string };

async function before(commit: string): Promise<(document: Document) => Measured> {
  // The commit's chunker and prompts, beside this checkout's, so their relative imports resolve.
  const root = fileURLToPath(new URL("..", import.meta.url));
  const chunkerPath = fileURLToPath(new URL(`../src/documents/chunker-${commit}.ts`, import.meta.url));
  const promptsPath = fileURLToPath(new URL(`../chains/rfp-response/prompts-${commit}.ts`, import.meta.url));
  writeFileSync(chunkerPath, execFileSync("git", ["show", `${commit}:src/documents/chunker.ts`], { cwd: root }));
  writeFileSync(promptsPath, execFileSync("git", ["show", `${commit}:chains/rfp-response/prompts.ts`], { cwd: root }));
  try {
    const chunker = ((await import(chunkerPath)) as { chunkDocument: BeforeChunker }).chunkDocument;
    const prompt = ((await import(promptsPath)) as { extractPrompt: BeforePrompt }).extractPrompt;
    return (document) => {
      const chunks = chunker(document.text.replace(/\r\n?/g, "\n"), { maxTokens: CHUNK_TOKENS, overlapTokens: OVERLAP_TOKENS });
      const lines = linesOf(document.text);
      let mustsMiscited = 0;
      let mustsGlued = 0;
      for (const must of document.musts) {
        const citing = chunks.filter((chunk) => comparable(chunk.text).includes(comparable(must)));
        if (citing.some((chunk) => !holds(lines, chunk.startLine, chunk.endLine, must))) mustsMiscited += 1;
        // The sentences the old quote check accepted: the chunk's text with white space folded, cut at end punctuation.
        if (
          !citing.some((chunk) =>
            chunk.text
              .replace(/\s+/g, " ")
              .split(/(?<=[.!?])\s+/)
              .some((sentence) => sameSentence(sentence, must)),
          )
        )
          mustsGlued += 1;
      }
      return {
        chunks: chunks.length,
        promptTokens: chunks.reduce(
          (sum, chunk) => sum + countTokens(prompt.system) + countTokens(prompt.user("Request for Quotation", chunk, chunks.length)) + schemaTokens,
          0,
        ),
        underThousandCharacters: chunks.filter((chunk) => chunk.text.length < 1_000).length,
        // Own text (overlap aside) of one non-blank line: a heading alone.
        loneHeadings: chunks.filter((chunk) => lines.slice(chunk.startLine - 1, chunk.endLine).filter((line) => line.trim() !== "").length === 1).length,
        paragraphBreaks: chunks.reduce((sum, chunk) => sum + (chunk.text.match(/\n\n/g)?.length ?? 0), 0),
        mustsMiscited,
        mustsGlued,
      };
    };
  } finally {
    rmSync(chunkerPath, { force: true });
    rmSync(promptsPath, { force: true });
  }
}

const commit = process.argv.find((argument) => argument.startsWith("--before="))?.slice("--before=".length);
const measureBefore = commit === undefined ? undefined : await before(commit);
const rows: string[] = [
  "| document | size | musts | | extract calls | prompt tokens | chunks < 1,000 chars | lone-heading chunks | paragraph breaks kept | musts cited where they are not | musts never a sentence of their own |",
  "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
];
for (const document of documents) {
  const size = `${(Buffer.byteLength(document.text) / 1024).toFixed(0)} KiB, ${String(countTokens(document.text))} tokens`;
  const measured: Array<[string, Measured]> = [
    ...(measureBefore ? [["before", measureBefore(document)] as [string, Measured]] : []),
    ["after", after(document)],
  ];
  for (const [label, result] of measured) {
    rows.push(
      `| ${document.name} | ${size} | ${String(document.musts.length)} | ${label} | ${String(result.chunks)} | ${result.promptTokens.toLocaleString("en-US")} | ${String(result.underThousandCharacters)} | ${String(result.loneHeadings)} | ${String(result.paragraphBreaks)} | ${String(result.mustsMiscited)} | ${String(result.mustsGlued)} |`,
    );
  }
}
console.log(`schema tokens per extract call: ${String(schemaTokens)} (counted in prompt tokens)`);
console.log(rows.join("\n"));
