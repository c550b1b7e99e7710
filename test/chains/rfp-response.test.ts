import { afterEach, describe, expect, it } from "vitest";
import rfpResponse from "../../chains/rfp-response/index.js";
import { loadModelTokenCounter } from "../../src/chain-api.js";
import { readDocument } from "../../src/documents/read-document.js";
import { citationHolds, comparable, readDeliveredResponse } from "../support/delivered-response.js";
import { createFakeRfpModel, type FakeRfpModelOptions } from "../support/fake-rfp-model.js";
import { facilitiesRfq, GROUNDS_HEADER, groundsRfqPdf } from "../support/rfp-documents.js";
import { generateRfp } from "../support/rfp-fixture.js";
import { generateRfq } from "../support/rfq-generator.js";
import { createHarness, type Harness } from "../support/runner-harness.js";

/**
 * rfp-response on a generated 30+ page RFP with known requirements, through the real runner,
 * store and openai client against a fake model that reads the prompts: every known must reaches
 * the architecture's traceability; an architecture that drops one, and a cost table that does
 * not add up, are sent back and fixed.
 */

const rfp = generateRfp();
let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const normalise = (text: string): string =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, " ")
    .trim();
const countTokens = await loadModelTokenCounter();
/** The chain's chunk budget, in the model's tokens. */
const CHUNK_TOKENS = 1_500;

/** Runs the chain on `document` to the approval, approves the summary, and returns what it delivered and how often each step asked. */
async function answer(
  document: string,
  options: FakeRfpModelOptions = {},
): Promise<{ delivered: string; asked: Record<string, number>; chunks: number; extractRequests: string[] }> {
  harness = await createHarness([rfpResponse]);
  const model = createFakeRfpModel(options);
  harness.server.setFallback((body) => model.reply(body));
  const { runId } = await harness.runner.start("rfp-response", { title: "Facilities RFQ", customer: "USCG", document }, { startedBy: "U0ALICE" });
  expect((await harness.runner.settled(runId)).status).toBe("awaiting_approval");
  const chunks = ((await harness.store.getSteps(runId)).find((step) => step.stepId === "chunk")?.output as { chunks: unknown[] }).chunks.length;
  const [approval] = await harness.store.listApprovals({ runId, statuses: ["pending"], limit: 1 });
  await harness.runner.decide(approval?.id ?? "", { kind: "approve" }, { id: "U0LEAD" });
  expect((await harness.runner.settled(runId)).status).toBe("succeeded");
  const extractRequests = harness.server.requests.map((request) => JSON.stringify(request.body)).filter((body) => body.includes("You extract requirements"));
  return { delivered: harness.notifier.sent[0]?.attachment?.content ?? "", asked: model.asked, chunks, extractRequests };
}

/** The document's lines as the chain numbers them: CRLF one break, a form feed ends a line. */
const linesOf = (document: string): string[] => document.split(/\r\n?|\n|\f/);
const markdownHeading = (line: string): string | undefined => /^#{1,6}\s+(.*?)(?:\s*\{[#.][^}]*\})?\s*$/.exec(line)?.[1];
const pdfHeading = (line: string): string | undefined => (/^\d+\.\d+ [A-Z][A-Za-z ]+$/.test(line) ? line : undefined);

/**
 * Every mandatory sentence was delivered as the document writes it (nothing glued on), every
 * cited place holds its sentence under the heading it names, and the traceability matrix cites
 * each requirement where the requirements list does.
 */
function expectExactCitations(
  document: string,
  delivered: string,
  musts: ReadonlyArray<string>,
  isHeading: (line: string) => string | undefined,
  isFurniture?: (line: string) => boolean,
): void {
  const { requirements, traceability } = readDeliveredResponse(delivered);
  const lines = linesOf(document);
  for (const must of musts) {
    const row = requirements.find((requirement) => requirement.sentences.some((sentence) => comparable(sentence) === comparable(must)));
    expect(row, `"${must}" was not delivered as written`).toBeDefined();
    expect(row?.priority).toBe("must");
  }
  for (const requirement of requirements) {
    for (const sentence of requirement.sentences) {
      const places = requirement.citations.map((citation) => ({ citation, ...citationHolds(lines, citation, sentence, isHeading, isFurniture) }));
      const holding = places.find((place) => place.holds);
      expect(holding, `${requirement.id} "${sentence}" is cited at ${requirement.where}, which does not hold it`).toBeDefined();
      expect(holding?.citation.section.split(" › ").at(-1), `${requirement.id} is cited under the wrong heading`).toBe(holding?.heading);
    }
  }
  expect(traceability.map((entry) => [entry.id, entry.where])).toEqual(requirements.map((requirement) => [requirement.id, requirement.where]));
}

describe("rfp-response", () => {
  it("traces every known must from a long RFP to the architecture; a dropped must and wrong totals are sent back and fixed; the summary waits for approval, then the document is delivered", async () => {
    expect(rfp.markdown.length).toBeGreaterThan(60_000);
    harness = await createHarness([rfpResponse]);
    const model = createFakeRfpModel({ dropMustFromArchitecture: true, wrongCostTotals: true });
    harness.server.setFallback((body) => model.reply(body));
    const { runId } = await harness.runner.start(
      "rfp-response",
      { title: "Cloud Platform Modernisation", customer: "Acme", document: rfp.markdown },
      { startedBy: "U0ALICE" },
    );
    const rested = await harness.runner.settled(runId);
    expect(rested.status).toBe("awaiting_approval");

    const steps = await harness.store.getSteps(runId);
    const output = (id: string): unknown => steps.find((step) => step.stepId === id)?.output;
    const chunks = (output("chunk") as { chunks: unknown[] }).chunks;
    // Sections packed to the budget: at most twice the document's size over the budget.
    expect(chunks.length).toBeGreaterThan(5);
    expect(chunks.length).toBeLessThanOrEqual(2 * Math.ceil(countTokens(rfp.markdown) / CHUNK_TOKENS));
    expect(model.asked["extract"]).toBe(chunks.length);

    // Every known must is one merged requirement, marked must, and traced by the architecture.
    const merged = output("merge") as { requirements: Array<{ id: string; text: string; priority: string; sources: string[] }> };
    const traced = new Set((output("architecture") as { traceability: Array<{ requirementId: string }> }).traceability.map((entry) => entry.requirementId));
    for (const known of rfp.mustRequirements) {
      const match = merged.requirements.find((requirement) => normalise(requirement.text).includes(normalise(known.text).slice(0, 60)));
      expect(match, `${known.id} "${known.text}" was not extracted`).toBeDefined();
      expect(match?.priority).toBe("must");
      expect(traced.has(match?.id ?? ""), `${known.id} is not in the traceability`).toBe(true);
    }
    // Stated twice in the RFP, merged once with both sources.
    const repeated = merged.requirements.find((requirement) =>
      normalise(requirement.text).startsWith(normalise("The service MUST be available 99.95 percent")),
    );
    expect(repeated?.sources.length).toBeGreaterThanOrEqual(2);

    // The two mistakes were sent back with the problem, once each, and fixed.
    expect(model.asked["architecture"]).toBe(2);
    expect(model.asked["cost-compliance"]).toBe(2);
    const architectureReask = harness.server.requests.filter((request) => JSON.stringify(request.body).includes("cloud solutions architect")).at(-1);
    expect(JSON.stringify(architectureReask?.body)).toContain("is not addressed: add how the architecture meets it");
    const costReask = harness.server.requests.filter((request) => JSON.stringify(request.body).includes("You estimate what")).at(-1);
    expect(JSON.stringify(costReask?.body)).toContain("totals.monthlyLow: is 5000 but the lines' monthlyLow add up to 5800");
    const cost = output("cost-compliance") as { totals: { monthlyLow: number }; compliance: Array<{ framework: string }> };
    expect(cost.totals.monthlyLow).toBe(5_800);
    expect(cost.compliance.map((entry) => entry.framework).sort()).toEqual(["FedRAMP", "GDPR", "HIPAA", "ISO 27001", "SOC 2"]);
    // RFP text went to the model as data.
    expect(JSON.stringify(harness.server.requests[0]?.body)).toContain("<rfp>");

    const [approval] = await harness.store.listApprovals({ runId, statuses: ["pending"], limit: 1 });
    expect(approval?.stepId).toBe("executive-summary");
    await harness.runner.decide(approval?.id ?? "", { kind: "approve" }, { id: "U0LEAD" });
    expect((await harness.runner.settled(runId)).status).toBe("succeeded");
    const [sent] = harness.notifier.sent;
    expect(sent?.title).toBe("RFP response: Cloud Platform Modernisation (Acme)");
    expect(sent?.attachment?.filename).toBe("cloud-platform-modernisation-response.md");
    const document = sent?.attachment?.content ?? "";
    expect(document).toContain("## Traceability");
    expect(
      readDeliveredResponse(document)
        .traceability.filter((entry) => entry.approach === "not addressed")
        .map((entry) => entry.id),
    ).toEqual(merged.requirements.filter((requirement) => requirement.priority !== "must" && !traced.has(requirement.id)).map((requirement) => requirement.id));
    expect(document).toContain("7 Security");
  });

  it("a Markdown RFQ with CRLF, tables and lists: every mandatory sentence is delivered as written and cited where it is; a quote that glues a list item to the next sentence is sent back", async () => {
    const rfq = facilitiesRfq();
    expect(rfq.text).toContain("\r\n");
    const { delivered, asked, extractRequests } = await answer(rfq.text, { glueListItem: true });
    expectExactCitations(rfq.text, delivered, rfq.musts, markdownHeading);
    // The glued quote was sent back with what to do, and answered again once.
    const reasks = extractRequests.filter((body) => body.includes("joins two separate parts of the RFP"));
    expect(reasks).toHaveLength(1);
    expect(reasks[0]).toContain("quote only the sentence, list item or table cell that states this requirement");
    expect(asked["extract"]).toBe(extractRequests.length);
    expect(delivered).not.toMatch(/by the government The contractor/i);
  });

  it("a PDF with running headers and page footers: citations give the lines and pages that hold each sentence, and no page furniture reaches the model", async () => {
    const { pdf, musts } = groundsRfqPdf();
    const document = await readDocument({ bytes: pdf, fileName: "grounds.pdf", mimeType: "application/pdf" });
    expect(document.split("\f")).toHaveLength(4);
    const { delivered, extractRequests } = await answer(document);
    expectExactCitations(document, delivered, musts, pdfHeading, (line) => line === GROUNDS_HEADER || /^Page \d+ of \d+$/.test(line));
    expect(extractRequests.length).toBeGreaterThan(0);
    for (const request of extractRequests) {
      expect(request).not.toMatch(/Page \d of 4/);
      expect(request).not.toContain(GROUNDS_HEADER);
    }
    // "Mowing shall be performed … from 15 April to 15 / October." runs from page 1 onto page 2.
    const mowing = readDeliveredResponse(delivered).requirements.find((requirement) =>
      requirement.sentences.some((sentence) => sentence.startsWith("Mowing shall be performed")),
    );
    expect(mowing?.citations[0]?.pages).toEqual({ first: 1, last: 2 });
  });

  it("RFQs of about 50 KB and 80 KB: one extract call per budget's worth of text at most twice over, every mandatory sentence delivered as written and cited where it is", async () => {
    for (const targetBytes of [50_000, 80_000]) {
      const rfq = generateRfq({ targetBytes });
      const { delivered, asked, chunks } = await answer(rfq.text);
      expect(chunks).toBeLessThanOrEqual(2 * Math.ceil(countTokens(rfq.text) / CHUNK_TOKENS));
      expect(asked["extract"]).toBe(chunks);
      expectExactCitations(rfq.text, delivered, rfq.musts, markdownHeading);
      await harness?.close();
      harness = undefined;
    }
  });

  it("a document with no text is refused at the chunk step with what to do", async () => {
    harness = await createHarness([rfpResponse]);
    const { runId } = await harness.runner.start(
      "rfp-response",
      { title: "Empty", customer: "Acme", document: `${" ".repeat(150)}\f${"\n".repeat(100)}` },
      { startedBy: "U0ALICE" },
    );
    const run = await harness.runner.settled(runId);
    expect(run.status).toBe("failed");
    expect(run.error?.code).toBe("DOCUMENT_EMPTY");
  });
});
