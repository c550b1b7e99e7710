import { Registry } from "prom-client";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import incidentDigest from "../../chains/incident-digest/index.js";
import { defineChain } from "../../src/core/chain-builder.js";
import type { DecisionRequest } from "../../src/core/runner.js";
import { collectDriftStats } from "../../src/evals/drift-stats.js";
import { DriftMetrics } from "../../src/metrics/drift-metrics.js";
import { runCli } from "../support/cli-process.js";
import { createHarness, type Harness } from "../support/runner-harness.js";
import { parseExposition, valueOf } from "../metrics/exposition-parser.js";

/**
 * Drift counters move with each kind of decision: proposals approved unchanged, edited, sent
 * back and rejected, and answers that needed a repair — in `/metrics`, `baton stats` and the
 * weekly digest, per chain, step, model and prompt version.
 */

const Plan = z.object({ summary: z.string().min(10), risk: z.enum(["low", "medium", "high"]) });
const PLAN = { summary: "Restart the API pods one by one.", risk: "medium" };

const driftChain = defineChain({ id: "drift-plan", description: "test", input: z.object({ request: z.string() }) })
  .llm("plan", {
    system: "You draft change plans.",
    user: ({ input, feedback }) => [input.request, ...feedback.map((item) => item.feedback)].join("\n"),
    output: Plan,
    approval: {},
  })
  .build();

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe("drift", () => {
  it("counts approved, edited, sent back and rejected proposals and repaired answers, by chain, step, model and prompt version", async () => {
    harness = await createHarness([driftChain, incidentDigest]);
    const active = harness;
    const registry = new Registry();
    const drift = new DriftMetrics(registry, (runId) => active.store.listEvents(runId));
    const detach = drift.attach(active.runner.events);
    active.server.setFallback(() => ({ kind: "json", value: PLAN }));

    const decideFirst = async (request: DecisionRequest, repairFirst = false): Promise<string> => {
      // An answer the schema refuses, then a valid one: one repaired answer.
      if (repairFirst) active.server.enqueue({ kind: "json", value: { summary: "short", risk: "unknown" } });
      const { runId } = await active.runner.start("drift-plan", { request: "restart the api" }, { startedBy: "tester" });
      await active.runner.settled(runId);
      const [approval] = await active.store.listApprovals({ runId, statuses: ["pending"], limit: 1 });
      await active.runner.decide(approval?.id ?? "", request, { id: "U0APPROVER", trusted: true });
      await active.runner.settled(runId);
      return runId;
    };
    await decideFirst({ kind: "approve" }, true);
    await decideFirst({ kind: "edit", output: { ...PLAN, summary: "Restart the API pods one at a time, slowly." } });
    const sentBack = await decideFirst({ kind: "request_changes", feedback: "Add a rollback." });
    const [second] = await active.store.listApprovals({ runId: sentBack, statuses: ["pending"], limit: 1 });
    await active.runner.decide(second?.id ?? "", { kind: "reject", reason: "Not this week." }, { id: "U0APPROVER", trusted: true });
    await active.runner.settled(sentBack);

    const events = await active.store.listEvents(sentBack);
    const promptVersion = String(events.find((event) => event.type === "model.call")?.data["promptVersion"]);
    const labels = { chain: "drift-plan", step: "plan", model: "gpt-4o-mini", prompt_version: promptVersion };

    // /metrics: the decision counter is fed after a read of the audit log; wait for the last one.
    const samples = async () => parseExposition(await registry.metrics());
    for (let tries = 0; valueOf(await samples(), "baton_proposal_decisions_total", { ...labels, decision: "rejected" }) < 1 && tries < 500; tries += 1)
      await new Promise((resolve) => setTimeout(resolve, 5));
    const metrics = await samples();
    expect(valueOf(metrics, "baton_proposal_decisions_total", { ...labels, decision: "approved" })).toBe(1);
    expect(valueOf(metrics, "baton_proposal_decisions_total", { ...labels, decision: "edited" })).toBe(1);
    expect(valueOf(metrics, "baton_proposal_decisions_total", { ...labels, decision: "changes_requested" })).toBe(1);
    expect(valueOf(metrics, "baton_proposal_decisions_total", { ...labels, decision: "rejected" })).toBe(1);
    expect(valueOf(metrics, "baton_model_answers_total", { ...labels, repaired: "true" })).toBe(1);
    expect(valueOf(metrics, "baton_model_answers_total", { ...labels, repaired: "false" })).toBe(3);
    detach();

    // The same numbers from the database: what `baton stats` and the digest read.
    const rows = await collectDriftStats(active.store, { since: 0, until: Date.now() + 1_000 });
    expect(rows).toEqual([
      {
        chainId: "drift-plan",
        stepId: "plan",
        model: "gpt-4o-mini",
        promptVersion,
        answers: 4,
        repaired: 1,
        decisions: { approved: 1, edited: 1, changes_requested: 1, rejected: 1 },
      },
    ]);

    const stats = await runCli(["stats", "--chain", "drift-plan", "--since", "1d"], {
      BATON_DB: active.databasePath,
      BATON_CHAINS_DIR: "test/fixtures/slack-chains",
    });
    expect(stats.code).toBe(0);
    expect(stats.stdout).toMatch(new RegExp(`drift-plan\\s+plan\\s+gpt-4o-mini\\s+${promptVersion}\\s+4\\s+25%\\s+4\\s+25%\\s+25%\\s+25%\\s+25%`));

    const digest = await active.runner.start("incident-digest", {}, { startedBy: "schedule" });
    expect((await active.runner.settled(digest.runId)).status).toBe("succeeded");
    const text = active.notifier.sent.find((sent) => sent.title === "Incidents this week")?.text ?? "";
    expect(text).toContain(`• drift-plan plan (gpt-4o-mini, ${promptVersion}): 25% / 25% / 25% / 25% of 4; repaired 25% of 4`);
  });
});
