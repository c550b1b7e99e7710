import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import changeAnnouncement from "../../docs/examples/change-announcement/index.js";
import { isBatonError } from "../../src/core/errors.js";
import { testChain } from "../../src/testing/index.js";
import { REPO_ROOT } from "../support/cli-process.js";
import { makeTempDirectory } from "../support/temp-directory.js";

/**
 * `testChain` (baton/testing), the test kit a chain author calls from vitest: a chain end to end
 * on the real runner, its model answering from examples.json or the answers given (recorded eval
 * cases: test-chain-cases.test.ts), its approvals decided as told; every mistake comes back as a problem naming the step,
 * check or output and the fix.
 */

const EXAMPLE = join(REPO_ROOT, "docs", "examples", "change-announcement");
const examples = JSON.parse(readFileSync(join(EXAMPLE, "examples.json"), "utf8")) as {
  assess: Record<string, unknown>;
  announcement: { headline: string; body: string };
};
const revised = { headline: "Orders database upgrade on Saturday", body: "New orders pause for five minutes at 06:00 UTC." };

describe("testChain on a chain's examples", () => {
  it("runs a chain folder end to end: status, outputs, check results, the model's prompts, what it posted", async () => {
    const result = await testChain(EXAMPLE);
    expect(result.problems).toEqual([]);
    expect(result.passed).toBe(true);
    expect(result.status).toBe("succeeded");
    expect(result.scenario).toBe("examples");
    expect(result.outputs["assess"]).toEqual(examples.assess);
    expect(result.approvals).toMatchObject([{ stepId: "announcement", round: 1, status: "approved" }]);
    expect(result.checks).toEqual([{ stepId: "assess", item: null, attempt: 1, passed: true, problems: [] }]);
    expect(result.modelCalls.map((call) => call.stepId)).toEqual(["assess", "announcement"]);
    expect(result.modelCalls[0]?.messages.at(-1)?.content).toContain("Upgrade the orders Postgres cluster");
    expect(result.notifications).toMatchObject([{ stepId: "post", title: examples.announcement.headline, text: examples.announcement.body }]);
  });

  it("takes the chain as a value, typed, with its folder as a file URL", async () => {
    const result = await testChain(changeAnnouncement, { folder: new URL("../../docs/examples/change-announcement/", import.meta.url) });
    expect(result.problems).toEqual([]);
    expect(result.outputs.announcement?.headline).toBe(examples.announcement.headline);
  });

  it("leaves no database behind: the temporary folder goes when the run is judged", async () => {
    const scratch = makeTempDirectory();
    const saved = process.env["TMPDIR"];
    process.env["TMPDIR"] = scratch.path;
    try {
      const result = await testChain(EXAMPLE);
      expect(result.passed).toBe(true);
      expect(readdirSync(scratch.path)).toEqual([]);
    } finally {
      if (saved === undefined) delete process.env["TMPDIR"];
      else process.env["TMPDIR"] = saved;
      scratch.remove();
    }
  });
});

describe("testChain decides approvals as told", () => {
  it("edit: the run goes on with the edited output", async () => {
    const result = await testChain(changeAnnouncement, { folder: EXAMPLE, decisions: { announcement: { kind: "edit", output: revised } } });
    expect(result.problems).toEqual([]);
    expect(result.outputs.announcement).toEqual(revised);
    expect(result.approvals).toMatchObject([{ status: "edited", editedOutput: revised }]);
    expect(result.notifications.map((sent) => sent.title)).toEqual([revised.headline]);
  });

  it("an edit the schema refuses: the problem names the field, and the run still waits with nothing posted", async () => {
    const result = await testChain(changeAnnouncement, {
      folder: EXAMPLE,
      decisions: { announcement: { kind: "edit", output: { headline: "", body: "x" } } },
    });
    expect(result.passed).toBe(false);
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]).toContain('step "announcement", round 1: the test\'s edit was refused: [EDIT_INVALID]');
    expect(result.problems[0]).toContain("headline");
    expect(result.status).toBe("awaiting_approval");
    expect(result.approvals).toMatchObject([{ status: "pending" }]);
    expect(result.notifications).toEqual([]);
  });

  it("request changes: the comment reaches the re-ask's prompt, the re-ask gets the answer given, the next round is approved", async () => {
    const comment = "Say that reading past orders keeps working.";
    const result = await testChain(changeAnnouncement, {
      folder: EXAMPLE,
      decisions: { announcement: [{ kind: "request_changes", comment, answer: revised }, "approve"] },
    });
    expect(result.problems).toEqual([]);
    expect(result.approvals.map((approval) => [approval.round, approval.status, approval.comment])).toEqual([
      [1, "changes_requested", comment],
      [2, "approved", null],
    ]);
    expect(result.modelCalls.map((call) => call.stepId)).toEqual(["assess", "announcement", "announcement"]);
    expect(result.modelCalls.at(-1)?.messages.at(-1)?.content).toContain(comment);
    expect(result.outputs.announcement).toEqual(revised);
  });

  it("request changes without an answer: the re-ask gets the step's answers again", async () => {
    const result = await testChain(EXAMPLE, { decisions: { announcement: { kind: "request_changes", comment: "Shorter, please." } } });
    expect(result.problems).toEqual([]);
    expect(result.approvals.map((approval) => approval.status)).toEqual(["changes_requested", "approved"]);
    expect(result.outputs["announcement"]).toEqual(examples.announcement);
  });

  it("reject: the run ends rejected, which is what the test then expects, and nothing is posted", async () => {
    const result = await testChain(EXAMPLE, { decisions: { announcement: "reject" } });
    expect(result.problems).toEqual([]);
    expect(result.status).toBe("rejected");
    expect(result.approvals).toMatchObject([{ status: "rejected", comment: "rejected by the test" }]);
    expect(result.notifications).toEqual([]);
  });

  it("a run that ends otherwise than expected says so", async () => {
    const result = await testChain(EXAMPLE, { decisions: { announcement: { kind: "reject", reason: "Not now." } }, expect: { status: "succeeded" } });
    expect(result.problems).toEqual(["the run ended rejected, but the test expects succeeded. A decision rejected it."]);
  });

  it("decisions for a step the chain lacks, or one without an approval gate, are refused before anything runs", async () => {
    const result = await testChain(EXAMPLE, { decisions: { announcment: "approve", assess: "reject" } });
    expect(result.runId).toBeNull();
    expect(result.problems).toEqual([
      'the decisions name step "announcment", which chain "change-announcement" does not have (its steps: assess, announcement, post).',
      'the decisions name step "assess", which has no approval gate: it never asks for a decision.',
    ]);
  });
});

describe("testChain judges answers with the schema and the step's check, as for a real model", () => {
  const lowRiskWithDowntime = { ...examples.assess, risk: "low", downtimeMinutes: 5 };

  it("an answer the check refuses goes back to the model; the next one passes", async () => {
    const result = await testChain(EXAMPLE, { answers: { assess: [lowRiskWithDowntime, examples.assess] } });
    expect(result.problems).toEqual([]);
    expect(result.checks).toEqual([
      { stepId: "assess", item: null, attempt: 1, passed: false, problems: ["a change with downtime is not low risk"] },
      { stepId: "assess", item: null, attempt: 2, passed: true, problems: [] },
    ]);
    expect(result.modelCalls[1]?.messages.at(-1)?.content).toContain("a change with downtime is not low risk");
  });

  it("an answer the check always refuses fails the run, naming the step, the check's problem and the fix", async () => {
    const result = await testChain(EXAMPLE, { answers: { assess: lowRiskWithDowntime } });
    expect(result.status).toBe("failed");
    expect(result.problems).toEqual([
      "step \"assess\": its answer (from examples.json and the scenario's answers) fails the step's check:\n  - a change with downtime is not low risk\nFix the answer in examples.json and the scenario's answers (it must fit the run's input), or the check.",
    ]);
    expect(result.checks.map((check) => check.passed)).toEqual([false, false, false]);
    expect(result.notifications).toEqual([]);
  });

  it("an answer the schema refuses fails the run naming the field", async () => {
    const result = await testChain(EXAMPLE, { answers: { announcement: { headline: "", body: "x" } } });
    expect(result.status).toBe("failed");
    expect(result.problems[0]).toMatch(/^step "announcement": \[MODEL_OUTPUT_INVALID\] /);
    expect(result.problems[0]).toContain("headline");
    expect(result.problems[0]).toContain("Fix the answer in examples.json and the scenario's answers so the step's output schema accepts it, or the schema.");
  });

  it("answers for a step the chain lacks or an action step are refused", async () => {
    const result = await testChain(EXAMPLE, { answers: { asess: {}, post: {} } });
    expect(result.problems).toEqual([
      'examples.json and the scenario\'s answers answers step "asess", which chain "change-announcement" does not have (its steps: assess, announcement, post).',
      'examples.json and the scenario\'s answers answers step "post", an action step: only model steps take answers.',
    ]);
  });

  it("checks outputs and notifications the test expects, naming the field", async () => {
    const result = await testChain(EXAMPLE, {
      expect: { outputs: { assess: { risk: "high", reasons: ["one"] } }, notifications: 2 },
    });
    expect(result.problems).toEqual([
      'step "assess": its output is not what the test expects:\n  - risk is "medium", expected "high"\n  - reasons has 2 item(s), expected 1\nFix the answer or decision that made it, or the expectation.',
      "its actions sent 1 notification(s), but the test expects 2.",
    ]);
  });
});

describe("testChain says what a chain lacks", () => {
  let directory: ReturnType<typeof makeTempDirectory>;
  beforeEach(() => {
    directory = makeTempDirectory();
  });
  afterEach(() => directory.remove());

  it("a chain given as a value with no folder and no answers: what to add, naming the input's fields and the model steps", async () => {
    const result = await testChain(changeAnnouncement);
    expect(result.runId).toBeNull();
    expect(result.problems).toEqual([
      "it has no example-input.json. Add one: a JSON object its input schema accepts (fields: change).",
      'it has no examples.json. Add one with an answer for each model step: "assess", "announcement".',
    ]);
  });

  it("a folder without examples.json: where to put it", async () => {
    const folder = join(directory.path, "change-announcement");
    mkdirSync(folder);
    writeFileSync(join(folder, "example-input.json"), readFileSync(join(EXAMPLE, "example-input.json")));
    const result = await testChain(changeAnnouncement, { folder });
    expect(result.problems).toEqual([
      `it has no examples.json. Add one beside ${folder}/index.ts with an answer for each model step: "assess", "announcement".`,
    ]);
  });

  it("an input the chain refuses", async () => {
    const result = await testChain(EXAMPLE, { input: { change: "too short" } });
    expect(result.runId).toBeNull();
    expect(result.problems[0]).toMatch(/^its input was refused: \[INPUT_INVALID\] The input does not fit chain "change-announcement":/);
    expect(result.problems[0]).toContain("change: describe the change in at least 20 characters");
  });

  it("a folder with no chain in it throws, saying what a chain folder needs", async () => {
    const error = await testChain(directory.path).catch((caught: unknown) => caught);
    expect(isBatonError(error, "CHAIN_NOT_FOUND")).toBe(true);
    expect((error as Error).message).toBe(`${directory.path} holds no chain: it needs an index.ts (or index.js) that default-exports a built chain.`);
  });
});
