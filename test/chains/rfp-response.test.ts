import { afterEach, describe, expect, it } from "vitest";
import rfpResponse from "../../chains/rfp-response/index.js";
import { createFakeRfpModel } from "../support/fake-rfp-model.js";
import { generateRfp } from "../support/rfp-fixture.js";
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

const normalise = (text: string): string => text.toLowerCase().replace(/[^a-z0-9]+/g, " ").trim();

describe("rfp-response", () => {
  it("traces every known must from a long RFP to the architecture; a dropped must and wrong totals are sent back and fixed; the summary waits for approval, then the document is delivered", async () => {
    expect(rfp.markdown.length).toBeGreaterThan(60_000);
    harness = await createHarness([rfpResponse]);
    const model = createFakeRfpModel({ dropMustFromArchitecture: true, wrongCostTotals: true });
    harness.server.setFallback((body) => model.reply(body));
    const { runId } = await harness.runner.start("rfp-response", { title: "Cloud Platform Modernisation", customer: "Acme", document: rfp.markdown }, { startedBy: "U0ALICE" });
    const rested = await harness.runner.settled(runId);
    expect(rested.status).toBe("awaiting_approval");

    const steps = await harness.store.getSteps(runId);
    const output = (id: string): unknown => steps.find((step) => step.stepId === id)?.output;
    const chunks = (output("chunk") as { chunks: unknown[] }).chunks;
    expect(chunks.length).toBeGreaterThan(15);
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
    const repeated = merged.requirements.find((requirement) => normalise(requirement.text).startsWith(normalise("The service MUST be available 99.95 percent")));
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
    expect(document).not.toContain("(must) | not addressed");
    expect(document).toContain("7 Security");
  });

  it("a document with no text is refused at the chunk step with what to do", async () => {
    harness = await createHarness([rfpResponse]);
    const { runId } = await harness.runner.start("rfp-response", { title: "Empty", customer: "Acme", document: `${" ".repeat(150)}\f${"\n".repeat(100)}` }, { startedBy: "U0ALICE" });
    const run = await harness.runner.settled(runId);
    expect(run.status).toBe("failed");
    expect(run.error?.code).toBe("DOCUMENT_EMPTY");
  });
});
