import { describe, expect, it } from "vitest";
import type { EvalReport } from "../../src/evals/run-evals.js";
import { runCli } from "../support/cli-process.js";

/**
 * `baton eval run <chain>` from a fresh clone: every shipped chain's shipped cases (evals/<chain>/)
 * replay with the scripted model, as CI runs them, and score. No database is named: eval run
 * needs none.
 */

const SHIPPED = ["solution-brief", "incident-response", "rfp-response", "iac-review"];

describe("shipped eval cases", () => {
  for (const chainId of SHIPPED) {
    it(`${chainId}: runs on its shipped cases with the scripted model`, async () => {
      const result = await runCli(["eval", "run", chainId, "--json", "--min-score", "0.8"], { BATON_MODEL: "scripted" });
      expect(result.stderr).toBe("");
      expect(result.code).toBe(0);
      const report = JSON.parse(result.stdout) as EvalReport & { passed: boolean };
      expect(report.passed).toBe(true);
      expect(report.caseCount).toBeGreaterThan(1);
      const [variant] = report.variants;
      expect(variant?.totals.valid).toBe(report.caseCount);
      expect(variant?.promptVersions.length).toBeGreaterThan(1);
    }, 60_000);
  }

  it("the chains' own scorers are in the report (musts traced, rule findings kept, word limits)", async () => {
    const rfp = JSON.parse((await runCli(["eval", "run", "rfp-response", "--json"], { BATON_MODEL: "scripted" })).stdout) as EvalReport;
    const architecture = rfp.variants[0]?.cases.find((scored) => scored.stepId === "architecture");
    expect(architecture?.scorers["musts-traced"]).toEqual({ score: 1 });
    const iac = JSON.parse((await runCli(["eval", "run", "iac-review", "--json"], { BATON_MODEL: "scripted" })).stdout) as EvalReport;
    const review = iac.variants[0]?.cases.find((scored) => scored.stepId === "review");
    expect(review?.scorers["resources-exist"]).toEqual({ score: 1 });
    // The example review leaves one of the rule findings to the cross-check: the scorer says which.
    expect(review?.scorers["rule-findings-kept"]?.score).toBeLessThan(1);
    expect(review?.scorers["rule-findings-kept"]?.note).toMatch(/^rule findings left out: /);
    expect(iac.variants[0]?.cases.find((scored) => scored.stepId === "summary")?.scorers["word-limit"]).toEqual({ score: 1 });
  }, 60_000);

  it("without a model server it says it uses the scripted model; a chain with no model step has nothing to evaluate", async () => {
    const scripted = await runCli(["eval", "run", "solution-brief"], {});
    expect(scripted.code).toBe(0);
    expect(scripted.stderr).toContain("scripted model");
    expect(scripted.stdout).toMatch(/^solution-brief · 4 cases/);
    const digest = await runCli(["eval", "run", "incident-digest"], {});
    expect(digest.stdout).toContain("incident-digest has no model steps");
    const missing = await runCli(["eval", "run", "solution-brief", "--cases", "evals/nowhere"], {});
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("baton eval capture --chain solution-brief");
  }, 60_000);
});
