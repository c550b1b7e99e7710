import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { defineChain } from "../../src/core/chain-builder.js";
import { isBatonError } from "../../src/core/errors.js";
import type { EvalCase } from "../../src/evals/eval-case.js";
import { readEvalCases, testChain } from "../../src/testing/index.js";
import { REPO_ROOT } from "../support/cli-process.js";

/**
 * `testChain` on recorded eval cases: a real run replayed — its input, the answers before the
 * case's step, the recorded proposal — with the case's step decided as people decided it, and
 * its output held to what they settled on.
 */

describe("testChain on recorded eval cases", () => {
  const caseFile = join(REPO_ROOT, "evals", "solution-brief", "example-business-summary.json");
  const approvedCase = JSON.parse(readFileSync(caseFile, "utf8")) as EvalCase;
  const settled = approvedCase.reference.output as Record<string, unknown>;
  const edited = { ...settled, title: "Nordwind's tracking, in the cloud before peak season" };
  const chain = join(REPO_ROOT, "chains", "solution-brief");

  it("reads a chain's cases, and runs one from its file: input and earlier answers from the case, its step decided as people did", async () => {
    const cases = readEvalCases(join(REPO_ROOT, "evals", "solution-brief"));
    expect(cases.map((evalCase) => evalCase.id)).toEqual(["example-architecture", "example-business-summary", "example-cost-estimate", "example-requirements"]);
    const result = await testChain(chain, { evalCase: caseFile });
    expect(result.problems).toEqual([]);
    expect(result.scenario).toBe("case example-business-summary");
    expect(result.outputs["business-summary"]).toEqual(settled);
    expect(result.outputs["requirements"]).toEqual(approvedCase.context.outputs["requirements"]);
    expect(result.approvals).toMatchObject([{ stepId: "business-summary", status: "approved" }]);
  });

  it("an edited case is decided with the people's edit", async () => {
    const result = await testChain(chain, { evalCase: { ...approvedCase, reference: { kind: "edited", output: edited, feedback: [] } } });
    expect(result.problems).toEqual([]);
    expect(result.approvals).toMatchObject([{ status: "edited", editedOutput: edited }]);
  });

  it("a case sent back is re-asked with the feedback and answered with what people settled on", async () => {
    const feedback = "Name the customer in the title.";
    const result = await testChain(chain, { evalCase: { ...approvedCase, reference: { kind: "changes_requested", output: edited, feedback: [feedback] } } });
    expect(result.problems).toEqual([]);
    expect(result.approvals.map((approval) => approval.status)).toEqual(["changes_requested", "approved"]);
    expect(result.modelCalls.at(-1)?.messages.at(-1)?.content).toContain(feedback);
    expect(result.outputs["business-summary"]).toEqual(edited);
  });

  it("a rejected case ends rejected with the people's reason", async () => {
    const result = await testChain(chain, { evalCase: { ...approvedCase, reference: { kind: "rejected", output: null, feedback: ["Too expensive."] } } });
    expect(result.problems).toEqual([]);
    expect(result.status).toBe("rejected");
    expect(result.approvals).toMatchObject([{ status: "rejected", comment: "Too expensive." }]);
  });

  it("a map step's case answers each item with its own recorded answer, whatever order the items are asked in", async () => {
    const labels = defineChain({ id: "word-labels", description: "Words → a label each", input: z.object({ words: z.array(z.string()).min(1) }) })
      .map("label", {
        items: ({ input }) => input.words,
        concurrency: 3,
        system: "Label the word.",
        user: (_context, word) => word,
        output: z.object({ word: z.string(), label: z.string() }),
        check: (answer, _context, word) => (answer.word === word ? [] : [`this answer is for "${answer.word}", not "${word}"`]),
      })
      .build();
    const proposal = [
      { word: "alpha", label: "first" },
      { word: "beta", label: "second" },
      { word: "gamma", label: "third" },
    ];
    const mapCase: EvalCase = {
      ...approvedCase,
      id: "labels",
      chainId: "word-labels",
      stepId: "label",
      context: { input: { words: ["alpha", "beta", "gamma"] }, outputs: {} },
      proposal,
      reference: { kind: "unreviewed", output: proposal, feedback: [] },
    };
    const result = await testChain(labels, { evalCase: mapCase });
    expect(result.problems).toEqual([]);
    expect(result.outputs.label).toEqual(proposal);
    expect(result.modelCalls.map((call) => call.item).sort()).toEqual([1, 2, 3]);
    expect(result.checks.map((check) => [check.item, check.passed]).sort()).toEqual([
      [1, true],
      [2, true],
      [3, true],
    ]);
  });

  it("the shipped RFP chain's map-step case passes", async () => {
    const result = await testChain(join(REPO_ROOT, "chains", "rfp-response"), { evalCase: join(REPO_ROOT, "evals", "rfp-response", "example-extract.json") });
    expect(result.problems).toEqual([]);
    expect(result.modelCalls.filter((call) => call.stepId === "extract").map((call) => call.item)).toEqual([1]);
  });

  it("a case whose settled output the chain no longer reproduces: the differing fields, and what to do", async () => {
    const result = await testChain(chain, { evalCase: { ...approvedCase, reference: { kind: "approved", output: edited, feedback: [] } } });
    expect(result.problems).toEqual([
      `step "business-summary": its output differs from what people settled on in case example-business-summary:\n  - title: ${JSON.stringify(settled["title"])} instead of ${JSON.stringify(edited.title)}\nThe chain now turns the recorded answer into something else: fix the chain, or capture the case again (baton eval capture).`,
    ]);
  });

  it("a case for a step the chain does not have, or a case with decisions of its own, is refused", async () => {
    const stray = await testChain(chain, { evalCase: { ...approvedCase, stepId: "deliver" } }).catch((caught: unknown) => caught);
    expect(isBatonError(stray, "EVAL_CASE_INVALID")).toBe(true);
    expect((stray as Error).message).toContain('is for step "deliver" of chain "solution-brief", which is not a model step of chain "solution-brief"');
    const mixed = await testChain(chain, { evalCase: caseFile, decisions: { "business-summary": "reject" } }).catch((caught: unknown) => caught);
    expect(isBatonError(mixed, "COMMAND_INVALID")).toBe(true);
  });
});
