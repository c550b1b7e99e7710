import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ApprovalRecord, RunRecord, RunStatus } from "../../src/core/ports.js";
import { EvalCaseSchema, type EvalCase } from "../../src/evals/eval-case.js";
import type { EvalReport } from "../../src/evals/run-evals.js";
import { APPROVER, PLAN_ANSWER, REQUESTER, SIGNING_SECRET, startBotHarness, type BotHarness } from "../support/bot-harness.js";
import { runCli } from "../support/cli-process.js";
import { startFakeOpenAiServer, type FakeOpenAiServer } from "../support/fake-openai-server.js";
import type { RecordedSlackCall } from "../support/fake-slack-server.js";
import { slashCommand, viewSubmission } from "../support/slack-requests.js";
import { makeTempDirectory } from "../support/temp-directory.js";
import { parseExposition, valueOf } from "../metrics/exposition-parser.js";
import { stateValues } from "../slack/modals/state-values.js";

/**
 * Issue 15's loop end to end: three runs decided through the bot (signed Slack requests into the
 * real receiver) — approved as is, edited, sent back with feedback — captured as eval cases by
 * the real CLI, then replayed by `baton eval run` against a model server whose models answer
 * differently, and scored.
 */

const CHAINS = join(import.meta.dirname, "..", "fixtures", "slack-chains");
const EDITED_SUMMARY = "Restart the API pods one at a time, and watch the error rate between pods.";
const REVISED_PLAN = { ...PLAN_ANSWER, steps: ["drain pod 1", "restart pod 1", "repeat", "roll back to the previous image if errors rise"] };
// What the cheaper model answers: valid, but far from anything people accepted.
const CHEAP_ANSWER = { summary: "Reboot every node of the cluster at the same time tonight.", risk: "high", steps: ["reboot all nodes"] };
const SECRET_TEXT = "token xoxb-1111-2222-abcdefabcdef";

let harness: BotHarness;
let evalModel: FakeOpenAiServer;
const directory = makeTempDirectory("baton-evals-");
const casesFolder = join(directory.path, "evals", "change-plan");
let runIds: string[] = [];

const store = () => harness.bot.runtime.store;

async function waitUntil<Value>(what: string, probe: () => Promise<Value | undefined>): Promise<Value> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const runStatus = (runId: string, status: RunStatus): Promise<RunRecord> =>
  waitUntil(`run ${runId} to be ${status}`, async () => {
    const run = await store().getRun(runId);
    return run?.status === status ? run : undefined;
  });

const pendingApproval = (runId: string, round: number): Promise<ApprovalRecord> =>
  waitUntil(`round ${String(round)} of ${runId}`, async () =>
    (await store().listApprovals({ runId, statuses: ["pending"], limit: 5 })).find((approval) => approval.round === round),
  );

async function startRun(text: string): Promise<{ run: RunRecord; approval: ApprovalRecord }> {
  const before = new Set((await store().listRuns({ limit: 100 })).map((run) => run.id));
  await harness.post(slashCommand({ text: `run change-plan ${text}`, userId: REQUESTER, responseUrl: harness.responseUrl("start") }, SIGNING_SECRET));
  const run = await waitUntil("the new run", async () => (await store().listRuns({ limit: 100 })).find((candidate) => !before.has(candidate.id)));
  return { run, approval: await pendingApproval(run.id, 1) };
}

const lastView = (index: number) =>
  (harness.slack.callsOf("views.open")[index] as RecordedSlackCall).args["view"] as { callback_id: string; private_metadata: string; blocks: never[] };

beforeAll(async () => {
  harness = await startBotHarness();
  // Approved as is.
  const approved = await startRun(`restart the api pods, ask <@${APPROVER}> first, ${SECRET_TEXT}`);
  await harness.clickCard({ actionId: "baton.approve", approvalId: approved.approval.id, userId: APPROVER, responseName: "approve" });
  await runStatus(approved.run.id, "succeeded");
  // Edited.
  const edited = await startRun("restart the api pods carefully");
  await harness.clickCard({ actionId: "baton.edit", approvalId: edited.approval.id, userId: APPROVER, responseName: "edit", triggerId: "trigger-edit" });
  await harness.slack.waitFor((calls) => calls.filter((call) => call.method === "views.open").length === 1);
  const editView = lastView(0);
  await harness.post(
    viewSubmission(
      {
        callbackId: editView.callback_id,
        privateMetadata: editView.private_metadata,
        stateValues: stateValues(editView.blocks, { summary: { type: "plain_text_input", value: EDITED_SUMMARY } }),
        userId: APPROVER,
      },
      SIGNING_SECRET,
    ),
  );
  await runStatus(edited.run.id, "succeeded");
  // Sent back with feedback, then the revised plan approved.
  const sentBack = await startRun("restart the api pods tonight");
  harness.model.enqueue({ kind: "json", value: REVISED_PLAN });
  await harness.clickCard({ actionId: "baton.request_changes", approvalId: sentBack.approval.id, userId: APPROVER, responseName: "rc" });
  await harness.slack.waitFor((calls) => calls.filter((call) => call.method === "views.open").length === 2);
  const feedbackView = lastView(1);
  await harness.post(
    viewSubmission(
      {
        callbackId: feedbackView.callback_id,
        privateMetadata: feedbackView.private_metadata,
        stateValues: { feedback: { value: { type: "plain_text_input", value: "Add a rollback step." } } },
        userId: APPROVER,
      },
      SIGNING_SECRET,
    ),
  );
  const second = await pendingApproval(sentBack.run.id, 2);
  await harness.clickCard({ actionId: "baton.approve", approvalId: second.id, userId: APPROVER, responseName: "approve-2" });
  await runStatus(sentBack.run.id, "succeeded");
  runIds = [approved.run.id, edited.run.id, sentBack.run.id];
  await harness.bot.slack.projection.idle();

  // The model server `eval run` talks to: `good-model` answers what people accepted, `cheap-model` does not.
  evalModel = await startFakeOpenAiServer();
  // good-model's server serves most of each prompt from its cache (OpenAI's usage.prompt_tokens_details.cached_tokens); cheap-model's caches nothing.
  evalModel.setFallback((body) =>
    (body as { model?: string }).model === "cheap-model"
      ? { kind: "json", value: CHEAP_ANSWER }
      : { kind: "json", value: PLAN_ANSWER, usage: { prompt_tokens: 1_300, completion_tokens: 50, prompt_tokens_details: { cached_tokens: 1_152 } } },
  );
}, 60_000);

afterAll(async () => {
  await harness.close();
  await evalModel.close();
  directory.remove();
});

const cliEnvironment = (): Record<string, string> => ({
  BATON_DB: harness.databasePath,
  BATON_CHAINS_DIR: CHAINS,
  OPENAI_API_KEY: "test-key",
  OPENAI_BASE_URL: `${evalModel.url}/v1`,
  BATON_MODEL_MAX_RETRIES: "0",
});

function readCaseFiles(): EvalCase[] {
  return readdirSync(casesFolder)
    .sort()
    .map((name) => EvalCaseSchema.parse(JSON.parse(readFileSync(join(casesFolder, name), "utf8"))));
}

describe("eval cases from real decisions", () => {
  it("captures one case per decided proposal, with the human's answer as the reference and no secrets or Slack ids", async () => {
    const captured = await runCli(["eval", "capture", ...runIds, "--out", join(directory.path, "evals")], cliEnvironment());
    expect(captured.stderr).toBe("");
    expect(captured.code).toBe(0);
    expect(captured.stdout).toContain("Wrote 3 cases (1 approved, 1 edited, 1 changes requested)");

    const cases = readCaseFiles();
    const byRun = (runId: string) => cases.find((evalCase) => evalCase.capturedFrom.runId === runId) as EvalCase;
    const [approvedRun, editedRun, sentBackRun] = runIds as [string, string, string];
    expect(byRun(approvedRun).reference).toEqual({ kind: "approved", output: PLAN_ANSWER, feedback: [] });
    expect(byRun(editedRun).reference).toEqual({ kind: "edited", output: { ...PLAN_ANSWER, summary: EDITED_SUMMARY }, feedback: [] });
    expect(byRun(sentBackRun).reference).toEqual({ kind: "changes_requested", output: REVISED_PLAN, feedback: ["Add a rollback step."] });
    expect(byRun(sentBackRun).proposal).toEqual(PLAN_ANSWER);
    for (const evalCase of cases) {
      expect(evalCase.capturedFrom.model).toBe("gpt-4o-mini");
      expect(evalCase.capturedFrom.promptVersion).toMatch(/^pv-[0-9a-f]{12}$/);
    }
    const text = readdirSync(casesFolder)
      .map((name) => readFileSync(join(casesFolder, name), "utf8"))
      .join("\n");
    for (const leaked of [APPROVER, REQUESTER, "xoxb-", "C0RUNS"]) expect(text).not.toContain(leaked);
    expect(byRun(approvedRun).context.input).toEqual({ request: "restart the api pods, ask [redacted] first, token [redacted]" });
  });

  it("the bot's /metrics counts the decisions by chain, step, model and prompt version", async () => {
    const [evalCase] = readCaseFiles();
    const labels = { chain: "change-plan", step: "plan", model: "gpt-4o-mini", prompt_version: evalCase?.capturedFrom.promptVersion ?? "" };
    const samples = parseExposition(await (await fetch(`http://127.0.0.1:${String(harness.bot.port)}/metrics`)).text());
    // The sent-back run was approved in its second round: two approvals as is.
    expect(valueOf(samples, "baton_proposal_decisions_total", { ...labels, decision: "approved" })).toBe(2);
    expect(valueOf(samples, "baton_proposal_decisions_total", { ...labels, decision: "edited" })).toBe(1);
    expect(valueOf(samples, "baton_proposal_decisions_total", { ...labels, decision: "changes_requested" })).toBe(1);
    expect(valueOf(samples, "baton_model_answers_total", { ...labels, repaired: "false" })).toBe(4);
  });

  it("replays the cases with two models side by side: the one that answers differently scores lower, and --min-score fails the run", async () => {
    const runsBefore = await store().listRuns({ limit: 1_000 });
    const result = await runCli(
      ["eval", "run", "change-plan", "--cases", casesFolder, "--model", "good-model", "--compare", "cheap-model", "--json", "--min-score", "0.9"],
      cliEnvironment(),
    );
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as EvalReport & { passed: boolean };
    expect(report.passed).toBe(false);
    const [good, cheap] = report.variants as [EvalReport["variants"][number], EvalReport["variants"][number]];
    expect(good.label).toBe("good-model");
    expect(cheap.label).toBe("cheap-model");
    expect(good.score).toBeGreaterThan(0.9);
    expect(cheap.score).toBeLessThan(0.7);
    // The approved case: good-model gives what was approved, word for word.
    const approvedCase = good.cases.find((scored) => scored.referenceKind === "approved");
    expect(approvedCase?.similarity).toBe(1);
    // The edited case is close for good-model, except the summary the person rewrote.
    const editedCase = good.cases.find((scored) => scored.referenceKind === "edited");
    expect(editedCase?.fields?.["risk"]).toBe(1);
    expect(editedCase?.fields?.["summary"]).toBeLessThan(1);
    for (const [index, scored] of cheap.cases.entries()) expect(scored.score).toBeLessThan(good.cases[index]?.score ?? 0);
    for (const variant of report.variants) {
      expect(variant.totals.valid).toBe(3);
      expect(variant.totals.inputTokens).toBeGreaterThan(0);
      expect(variant.promptVersions).toHaveLength(1);
    }
    // The cached part of the prompts, per case and in the totals, as a part of the input tokens.
    expect(good.totals).toMatchObject({ inputTokens: 3_900, cachedInputTokens: 3_456, outputTokens: 150 });
    expect(good.cases.map((scored) => scored.replay?.cachedInputTokens)).toEqual([1_152, 1_152, 1_152]);
    expect(cheap.totals.cachedInputTokens).toBe(0);
    expect(cheap.cases.map((scored) => scored.replay?.cachedInputTokens)).toEqual([0, 0, 0]);
    // Each model is its own prompt version: the model is part of the fingerprint.
    expect(good.promptVersions).not.toEqual(cheap.promptVersions);
    // No side effects: no run started, nothing posted.
    expect(await store().listRuns({ limit: 1_000 })).toHaveLength(runsBefore.length);
    const asked = evalModel.requests.map((request) => (request.body as { model: string }).model);
    expect(asked.filter((model) => model === "good-model")).toHaveLength(3);
    expect(asked.filter((model) => model === "cheap-model")).toHaveLength(3);
  });

  it("prints the comparison table for people, with the captured proposals as a column", async () => {
    const result = await runCli(["eval", "run", "change-plan", "--cases", casesFolder, "--model", "cheap-model", "--compare", "captured"], cliEnvironment());
    expect(result.code).toBe(0);
    const lines = result.stdout.split("\n");
    expect(lines[0]).toBe("change-plan · 3 cases");
    expect(lines[2]).toMatch(/^CASE\s+STEP\s+REFERENCE\s+CHEAP-MODEL\s+CAPTURED\s+Δ$/);
    const approvedRow = lines.find((line) => line.includes(" approved "));
    // Captured proposals were approved as is: 100% similar; the cheap model's answer is not.
    expect(approvedRow).toMatch(/ \d{1,2}% sim \d{1,2}%\s+100% sim 100%\s+\+\d+$/);
    expect(result.stdout).toMatch(/cheap-model: score \d{1,2}% · valid 3\/3 · first try 3\/3/);
    expect(result.stdout).toContain("captured: score");
    // cheap-model's server cached nothing: no cached part is printed.
    expect(result.stdout).not.toContain("cached");
  });

  it("prints the cached part of the prompts in a variant's totals and its step line", async () => {
    const result = await runCli(["eval", "run", "change-plan", "--cases", casesFolder, "--model", "good-model"], cliEnvironment());
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/good-model: score \d+% · valid 3\/3 · first try 3\/3 · 0 repairs · 0 check problems · 4,050 tokens \(3,456 cached\) · \$/);
    expect(result.stdout).toMatch(/^ {4}plan\s+\d+%\s+3 cases {2}4,050 tok {2}\(3,456 cached\) {2}\$/m);
  });
});
