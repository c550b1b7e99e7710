import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import incidentDigest from "../../chains/incident-digest/index.js";
import incidentResponse from "../../chains/incident-response/index.js";
import { createHarness, type Harness } from "../support/runner-harness.js";

/** The weekly digest counts what the store holds: severities, approval waits, resolutions, repeat offenders. */

const example = JSON.parse(readFileSync(new URL("../../chains/incident-response/example-input.json", import.meta.url), "utf8")) as Record<string, unknown>;
const examples = JSON.parse(readFileSync(new URL("../../chains/incident-response/examples.json", import.meta.url), "utf8")) as {
  classify: unknown;
  remediation: unknown;
};

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe("incident-digest", () => {
  it("summarises the week's incident runs", async () => {
    const resolvedAt = Date.now();
    harness = await createHarness([incidentResponse, incidentDigest], {
      resources: { incidents: { statusOf: async (id) => (id === "i_first" ? { status: "resolved", resolvedAt } : { status: "open", resolvedAt: null }) } },
    });
    harness.server.setFallback((body) =>
      JSON.stringify(body).includes("first responder") ? { kind: "json", value: examples.classify } : { kind: "json", value: examples.remediation },
    );
    for (const incidentId of ["i_first", "i_second"]) {
      const { runId } = await harness.runner.start("incident-response", { ...example, incidentId }, { startedBy: "test" });
      await harness.runner.settled(runId);
      if (incidentId === "i_first") {
        const [approval] = await harness.store.listApprovals({ runId, statuses: ["pending"], limit: 1 });
        await harness.runner.decide(approval?.id ?? "", { kind: "approve" }, { id: "U0ONCALL01" });
        await harness.runner.settled(runId);
      }
    }
    const digest = await harness.runner.start("incident-digest", {}, { startedBy: "schedule" });
    expect((await harness.runner.settled(digest.runId)).status).toBe("succeeded");
    const text = harness.notifier.sent.find((sent) => sent.title === "Incidents this week")?.text ?? "";
    expect(text).toContain("2 incidents from");
    expect(text).toContain("By severity: SEV2 2.");
    // i_first resolved while its plan waited, so its run asks again (freshness) before posting.
    expect(text).toContain("How they ended: awaiting_approval 2.");
    expect(text).toContain("Plans approved: 1");
    expect(text).toContain("Resolved: 1");
    expect(text).toContain("Repeat offenders: HighErrorRate (checkout) ×2.");
  });
});
