import { basename } from "node:path";
import { chunkDocument, coverageScore, defineChain, loadModelTokenCounter, wordLimitScore } from "../../src/chain-api.js";
import { checkCostAndCompliance, checkCoverage, checkMerge, checkQuotes, frameworksIn } from "./checks.js";
import { architecturePrompt, costCompliancePrompt, extractPrompt, mergePrompt, summaryPrompt } from "./prompts.js";
import { renderResponseDocument } from "./response-document.js";
import { Architecture, ChunkRequirements, CostCompliance, ExecutiveSummary, MergedRequirements, RfpInput } from "./schemas.js";
import { describeSource, extractedRequirements, type ChunkItem } from "./sources.js";

/**
 * rfp-response: a long RFP is chunked by its structure (sections packed to the budget, cut only
 * between blocks or sentences); requirements are extracted per chunk (a map step, each chunk
 * durable), each quote checked to be one sentence, item or cell of the chunk and cited at the
 * lines that hold it; merged across chunks with every source kept, met by
 * an architecture (coverage checked: every must is traced), costed (totals checked) and mapped
 * to the compliance frameworks it names (each one checked), summarised for the customer with a
 * person's approval, and delivered: the summary in the thread, the full response as a file.
 */

/** A chunk's size in the model's tokens: room for the prompt and the answer in an 8k-context model. */
const CHUNK_TOKENS = 1_500;
/** Context repeated from the previous chunk when a section is cut (chunks never cut a sentence). */
const OVERLAP_TOKENS = 120;

export default defineChain({
  id: "rfp-response",
  title: "RFP response",
  description:
    "RFP → requirements per chunk → merged → architecture (every must traced) → cost and compliance (totals checked) → executive summary (approval) → delivered",
  input: RfpInput,
  approvalDeadline: "5d",
  // `baton run rfp-response --input rfp.md`: the file is the document; its first heading the title.
  inputFromText: (text, source) => {
    try {
      const json: unknown = JSON.parse(text);
      if (typeof json === "object" && json !== null && "document" in json) return json;
    } catch {
      // Not JSON: the RFP itself.
    }
    // Pandoc writes attributes after a heading ("# RFQ 42 {#rfq}"): not part of the title.
    const heading = /^#{1,3}\s+(.+)$/m
      .exec(text)?.[1]
      ?.replace(/\s*\{[#.][^}]*\}\s*$/, "")
      .trim();
    return { title: heading ?? basename(source).replace(/\.[a-z]+$/i, ""), document: text, sourceName: basename(source) };
  },
})
  .action("chunk", {
    description: "Split the RFP by its sections and size, keeping section names, line numbers and pages",
    run: async ({ input }) => {
      const countTokens = await loadModelTokenCounter();
      const chunks = chunkDocument(input.document, { maxTokens: CHUNK_TOKENS, overlapTokens: OVERLAP_TOKENS, countTokens });
      return {
        chunks: chunks.map(
          ({ index, text, sectionPath, sections, startLine, endLine, pages, blocks }): ChunkItem => ({
            index,
            text,
            sectionPath,
            sections,
            startLine,
            endLine,
            ...(pages ? { pages } : {}),
            blocks,
          }),
        ),
      };
    },
  })
  .map("extract", {
    description: "Extract the requirements of each chunk",
    items: ({ outputs }) => outputs.chunk.chunks,
    concurrency: 4,
    label: (chunk) =>
      `chunk ${String(chunk.index + 1)} (${chunk.sectionPath.join(" › ") || "start"}, lines ${String(chunk.startLine)}-${String(chunk.endLine)})`,
    system: extractPrompt.system,
    user: ({ input, outputs }, chunk, _index, budget) => extractPrompt.user(input.title, chunk, outputs.chunk.chunks.length, budget),
    output: ChunkRequirements,
    check: (answer, _context, chunk) => checkQuotes(answer, chunk.blocks),
    temperature: 0,
  })
  .llm("merge", {
    description: "Merge duplicates across chunks, keeping every source",
    system: mergePrompt.system,
    user: ({ outputs }) => mergePrompt.user(extractedList(outputs.chunk.chunks, outputs.extract)),
    output: MergedRequirements,
    check: (answer, { outputs }) => checkMerge(answer, extractedList(outputs.chunk.chunks, outputs.extract)),
    temperature: 0,
    maxAttempts: 4,
  })
  .llm("architecture", {
    description: "Propose the architecture and trace every must requirement to it",
    system: architecturePrompt.system,
    user: ({ input, outputs }) => architecturePrompt.user(input.customer, outputs.merge),
    output: Architecture,
    check: (answer, { outputs }) => checkCoverage(answer, outputs.merge),
    scorers: [
      {
        name: "musts-traced",
        score: (answer, { outputs }) =>
          coverageScore(
            outputs.merge.requirements.filter((requirement) => requirement.priority === "must").map((requirement) => requirement.id),
            new Set(answer.traceability.map((entry) => entry.requirementId)),
            "must requirements not traced",
          ),
      },
    ],
    temperature: 0.2,
    maxAttempts: 4,
  })
  .llm("cost-compliance", {
    description: "Monthly cost ranges (totals checked) and the compliance frameworks mapped to controls",
    system: costCompliancePrompt.system,
    user: ({ input, outputs }) => costCompliancePrompt.user(outputs.merge, outputs.architecture, frameworksIn(input.document)),
    output: CostCompliance,
    check: (answer, { input }) => checkCostAndCompliance(answer, frameworksIn(input.document)),
    temperature: 0,
    maxAttempts: 4,
  })
  .llm("executive-summary", {
    description: "The executive summary for the customer",
    system: summaryPrompt.system,
    user: ({ input, outputs }, budget) =>
      summaryPrompt.user(input.customer, input.title, outputs.merge, outputs.architecture, outputs["cost-compliance"], budget),
    output: ExecutiveSummary,
    temperature: 0.3,
    scorers: [{ name: "word-limit", score: (answer) => wordLimitScore(answer.summary, 250) }],
    approval: { title: "Executive summary to send to the customer" },
  })
  .action("deliver", {
    description: "The summary in the thread, the full response as a Markdown file",
    run: async ({ input, outputs, run }, services) => {
      const summary = outputs["executive-summary"];
      const cost = outputs["cost-compliance"];
      const must = outputs.merge.requirements.filter((requirement) => requirement.priority === "must").length;
      const document = renderResponseDocument({
        title: input.title,
        customer: input.customer,
        summary,
        requirements: outputs.merge,
        sources: new Map(extractedRequirements(outputs.chunk.chunks, outputs.extract).map((requirement) => [requirement.id, requirement.source])),
        architecture: outputs.architecture,
        cost,
      });
      const sent = await services.notifier.notify({
        runId: run.id,
        stepId: "deliver",
        idempotencyKey: services.idempotencyKey,
        title: `RFP response: ${input.title} (${input.customer})`,
        text: [
          summary.summary,
          "",
          `${String(outputs.merge.requirements.length)} requirements (${String(must)} must, every one traced to the architecture) · ${cost.currency} ${String(cost.totals.monthlyLow)}–${String(cost.totals.monthlyHigh)} a month`,
          "The full response is attached.",
        ].join("\n"),
        attachment: { filename: `${slug(input.title)}-response.md`, title: `${input.title}: RFP response`, content: document },
      });
      return { delivered: sent.reference, requirements: outputs.merge.requirements.length, must, characters: document.length };
    },
  })
  .build();

/** The merge step's view of the extracted requirements: each with the exact place its sentence is. */
function extractedList(
  chunks: ReadonlyArray<ChunkItem>,
  extracted: ReadonlyArray<ChunkRequirements>,
): Array<{ id: string; text: string; category: string; priority: string; section: string }> {
  return extractedRequirements(chunks, extracted).map(({ id, text, category, priority, source }) => ({
    id,
    text,
    category,
    priority,
    section: describeSource(source),
  }));
}

function slug(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-|-$/g, "")
      .slice(0, 60) || "rfp"
  );
}
