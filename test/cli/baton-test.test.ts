import { cpSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../support/cli-process.js";
import { makeTempDirectory } from "../support/temp-directory.js";

/**
 * `baton test` through the real command: the shipped chains and their recorded cases, and a
 * project's chains with a test-plan.json, `--decide`, `--cases`, and the chains that lack what
 * a test needs. Each failure must say which step, check or output failed and how to fix it.
 */

const directory = makeTempDirectory("baton-test-command-");
const project = join(directory.path, "project");
const chains = join(project, "chains");
const chainFolder = join(chains, "first-chain");
const environment = { BATON_DB: join(directory.path, "baton.db"), BATON_CHAINS_DIR: chains };

let examples: Record<string, unknown> = {};

beforeAll(async () => {
  const created = await runCli(["init", project], { BATON_DB: environment.BATON_DB });
  expect(created.code, created.stderr).toBe(0);
  examples = JSON.parse(readFileSync(join(chainFolder, "examples.json"), "utf8")) as Record<string, unknown>;
}, 60_000);

afterAll(() => directory.remove());

function writePlan(plan: unknown): void {
  writeFileSync(join(chainFolder, "test-plan.json"), JSON.stringify(plan, null, 2));
}

describe("baton test on the shipped chains", () => {
  it("passes every shipped chain on its examples (incident-digest's example input included) and, with --cases, on its recorded cases", async () => {
    const tested = await runCli(["test", "--cases"], { BATON_DB: environment.BATON_DB });
    expect(tested.code, tested.stdout + tested.stderr).toBe(0);
    for (const chain of ["iac-review", "incident-digest", "incident-response", "rfp-response", "solution-brief"])
      expect(tested.stdout).toContain(`✓ ${chain}\n`);
    expect(tested.stdout).toContain("✓ rfp-response › case example-extract");
    expect(tested.stdout).toContain("✓ solution-brief › case example-business-summary");
    expect(tested.stdout).toContain("5 chain(s) passed (18 scenario(s)).");
  }, 60_000);
});

describe("baton test on a project's chain", () => {
  it("runs the scenarios of the chain's test-plan.json after its examples", async () => {
    const edited = { headline: "Billing export moves to 04:00 UTC", points: ["It no longer overlaps the backup."] };
    writePlan({
      scenarios: [
        { name: "rejected", decisions: { summarise: { kind: "reject", reason: "Not ours." } }, expect: { notifications: 0 } },
        { name: "edited", decisions: { summarise: { kind: "edit", output: edited } }, expect: { outputs: { summarise: { headline: edited.headline } } } },
        {
          name: "sent back",
          decisions: { summarise: [{ kind: "request_changes", comment: "Shorter.", answer: edited }, "approve"] },
          expect: { status: "succeeded", outputs: { summarise: edited }, notifications: 1 },
        },
      ],
    });
    try {
      const tested = await runCli(["test"], environment);
      expect(tested.code, tested.stdout + tested.stderr).toBe(0);
      expect(tested.stdout).toBe(
        "✓ first-chain\n✓ first-chain › rejected\n✓ first-chain › edited\n✓ first-chain › sent back\n\n1 chain(s) passed (4 scenario(s)).\n",
      );
    } finally {
      rmSync(join(chainFolder, "test-plan.json"));
    }
  }, 60_000);

  it("fails a scenario whose output differs from what it expects, naming the field and the fix, and still runs the others", async () => {
    writePlan({
      scenarios: [
        { name: "wrong headline", expect: { outputs: { summarise: { headline: "Something else" } } } },
        { name: "rejected", decisions: { summarise: "reject" } },
      ],
    });
    try {
      const tested = await runCli(["test", "first-chain"], environment);
      expect(tested.code).toBe(1);
      const headline = (examples["summarise"] as { headline: string }).headline;
      expect(tested.stdout).toContain(
        `✗ first-chain › wrong headline: step "summarise": its output is not what the test expects:\n  - headline is ${JSON.stringify(headline)}, expected "Something else"\nFix the answer or decision that made it, or the expectation.`,
      );
      expect(tested.stdout).toContain("✓ first-chain › rejected");
      expect(tested.stdout).toContain("1 of 3 scenario(s) failed.");
    } finally {
      rmSync(join(chainFolder, "test-plan.json"));
    }
  }, 60_000);

  it("reports a test-plan.json that is not a plan, with the field and where the format is", async () => {
    writePlan({ scenarios: [{ name: "maybe", decisions: { summarise: { kind: "maybe" } } }] });
    try {
      const tested = await runCli(["test", "first-chain"], environment);
      expect(tested.code).toBe(1);
      expect(tested.stdout).toContain("✓ first-chain\n");
      expect(tested.stdout).toMatch(
        /✗ first-chain › test-plan\.json: \S+test-plan\.json is not a test plan: scenarios\.0\.decisions\.summarise: .+ Fix it \(docs\/chains\.md, "The test kit", shows the format\)\./,
      );
    } finally {
      rmSync(join(chainFolder, "test-plan.json"));
    }
  }, 60_000);

  it("decides one run by hand with --decide: edit from a file, request changes, and an edit the schema refuses", async () => {
    const good = join(directory.path, "edited.json");
    writeFileSync(good, JSON.stringify({ headline: "Billing export at 04:00 UTC", points: ["Moved off the backup window."] }));
    const bad = join(directory.path, "bad-edit.json");
    writeFileSync(bad, JSON.stringify({ headline: "Billing export at 04:00 UTC", points: [] }));

    const edited = await runCli(["test", "first-chain", "--decide", `summarise=edit:${good}`], environment);
    expect(edited.code, edited.stdout + edited.stderr).toBe(0);
    expect(edited.stdout).toContain(`✓ first-chain › --decide summarise=edit:${good}`);

    const sentBack = await runCli(
      ["test", "first-chain", "--decide", "summarise=request_changes:Shorter please", "--decide", "summarise=approve"],
      environment,
    );
    expect(sentBack.code, sentBack.stdout + sentBack.stderr).toBe(0);

    const refused = await runCli(["test", "first-chain", "--decide", `summarise=edit:${bad}`], environment);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain(
      `: step "summarise", round 1: the test's edit was refused: [EDIT_INVALID] The edited output of step "summarise" does not fit its schema:`,
    );
    expect(refused.stdout).toContain("points");
  }, 60_000);

  it("refuses a --decide it cannot read, or one without its chain, saying how to write it", async () => {
    const unreadable = await runCli(["test", "first-chain", "--decide", "summarise=maybe"], environment);
    expect(unreadable.code).toBe(1);
    expect(unreadable.stderr).toContain(
      'error [COMMAND_INVALID]: --decide "summarise=maybe" is not a decision. Write <step>=approve, <step>=reject[:<reason>], <step>=edit:<file.json> or <step>=request_changes:<comment>; repeat it for a step\'s later rounds.',
    );
    const chainless = await runCli(["test", "--decide", "summarise=reject"], environment);
    expect(chainless.code).toBe(1);
    expect(chainless.stderr).toContain("--decide names steps of one chain: give the chain too");
  }, 60_000);

  it("says what to add to a chain without example-input.json or examples.json, instead of failing later", async () => {
    const bare = join(chains, "bare");
    cpSync(chainFolder, bare, { recursive: true });
    writeFileSync(join(bare, "index.ts"), readFileSync(join(bare, "index.ts"), "utf8").replace('id: "first-chain"', 'id: "bare"'));
    for (const file of ["examples.json", "example-input.json", "first-chain.test.ts"]) rmSync(join(bare, file));
    try {
      const tested = await runCli(["test", "bare"], environment);
      expect(tested.code).toBe(1);
      expect(tested.stdout).toContain(
        `✗ bare: it has no example-input.json. Add one beside ${bare}/index.ts: a JSON object its input schema accepts (fields: request).\n  it has no examples.json. Add one beside ${bare}/index.ts with an answer for each model step: "summarise".`,
      );
    } finally {
      rmSync(bare, { recursive: true });
    }
  }, 60_000);

  it("runs a case captured from a real run with --cases, and fails it naming the field once the schema no longer takes the recorded answer", async () => {
    const started = await runCli(["run", "first-chain", "--input", join(chainFolder, "example-input.json"), "--no-wait"], environment);
    const waiting = /⏸ Run (r_\S+) is waiting for approval (a_\S+)/.exec(started.stdout);
    expect(waiting, started.stdout + started.stderr).not.toBeNull();
    const edit = join(directory.path, "people-edit.json");
    writeFileSync(edit, JSON.stringify({ headline: "Billing export: 02:00 → 04:00 UTC", points: ["Finance asked; the backup overlap caused two failures."] }));
    const approved = await runCli(["approve", waiting?.[2] ?? "", "--edit", edit], environment);
    expect(approved.code, approved.stdout + approved.stderr).toBe(0);
    const evals = join(project, "evals");
    const captured = await runCli(["eval", "capture", waiting?.[1] ?? "", "--out", evals], environment);
    expect(captured.code, captured.stderr).toBe(0);
    const [caseFile] = readdirSync(join(evals, "first-chain"));
    expect(caseFile).toBeDefined();

    const tested = await runCli(["test", "first-chain", "--cases", evals], environment);
    expect(tested.code, tested.stdout + tested.stderr).toBe(0);
    const caseId = (caseFile ?? "").replace(/\.json$/, "");
    expect(tested.stdout).toContain(`✓ first-chain › case ${caseId}`);

    // The schema tightened since: the model's recorded answer no longer fits it.
    const schemas = join(chainFolder, "schemas.ts");
    const original = readFileSync(schemas, "utf8");
    writeFileSync(schemas, original.replace("headline: z.string().min(1).max(120)", "headline: z.string().min(1).max(20)"));
    try {
      const stale = await runCli(["test", "first-chain", "--cases", evals], environment);
      expect(stale.code).toBe(1);
      expect(stale.stdout).toContain(`✗ first-chain › case ${caseId}: step "summarise": [MODEL_OUTPUT_INVALID] `);
      expect(stale.stdout).toContain("headline: Too big");
      expect(stale.stdout).toContain(
        `Fix the answer in case ${join(evals, "first-chain", caseFile ?? "")} so the step's output schema accepts it, or the schema.`,
      );
    } finally {
      writeFileSync(schemas, original);
    }
  }, 90_000);
});
