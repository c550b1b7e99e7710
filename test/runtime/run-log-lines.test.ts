import { afterEach, expect, it } from "vitest";
import { createLogger } from "../../src/runtime/logger.js";
import { APPROVER, PLAN_ANSWER, REQUESTER, SIGNING_SECRET, startBotHarness, type BotHarness } from "../support/bot-harness.js";
import { slashCommand } from "../support/slack-requests.js";

/**
 * "Every log line of a run carries its run id": the bot's real pino logger, a run that meets a
 * model server error, a Slack error, a failing event listener and a chain that logs, and every
 * line written while it ran is checked.
 */

interface LogLine {
  level: number;
  msg: string;
  runId?: string;
  stepId?: string;
  [field: string]: unknown;
}

let harness: BotHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

async function waitFor(what: string, probe: () => Promise<boolean> | boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

it("every line logged about a run, by baton or by the chain's code, names the run (and the step where there is one)", async () => {
  const lines: LogLine[] = [];
  const logger = createLogger("debug", { write: (text: string) => void lines.push(JSON.parse(text) as LogLine) });
  harness = await startBotHarness({ logger, environment: { BATON_MODEL_MAX_RETRIES: "1" } });
  const bot = harness;
  const startupLines = lines.length;
  // Trouble along the way, each of which is logged: the model server fails once (the call is
  // retried), Slack fails a post once (the projection retries), and a listener throws.
  bot.model.enqueue({ kind: "status", status: 500, body: { error: { message: "upstream overloaded" } } }, { kind: "json", value: PLAN_ANSWER });
  bot.slack.failNext("chat.postMessage", { kind: "server_error" }, 5);
  bot.bot.runtime.runner.events.on("step.finished", () => {
    throw new Error("a listener that breaks");
  });

  await bot.post(slashCommand({ text: "run change-plan restart the api pods", userId: REQUESTER, responseUrl: bot.responseUrl("start") }, SIGNING_SECRET));
  let runId = "";
  await waitFor("the run", async () => {
    runId = (await bot.bot.runtime.store.listRuns({ limit: 1 }))[0]?.id ?? "";
    return runId !== "";
  });
  let approvalId = "";
  await waitFor("its approval", async () => {
    approvalId = (await bot.bot.runtime.store.listApprovals({ runId, statuses: ["pending"], limit: 1 }))[0]?.id ?? "";
    return approvalId !== "";
  });
  await bot.clickCard({ actionId: "baton.approve", approvalId, userId: APPROVER });
  await waitFor("the run to succeed", async () => (await bot.bot.runtime.store.getRun(runId))?.status === "succeeded");
  await bot.bot.slack.projection.idle();

  const duringRun = lines.slice(startupLines);
  const messages = duringRun.map((line) => line.msg);
  // Each kind of trouble was logged at all (otherwise this test would prove nothing).
  expect(messages).toContain("model server answered HTTP 500");
  expect(messages).toContain("could not bring a run's Slack messages up to date; will retry");
  expect(messages).toContain("a runner event listener failed");
  expect(messages).toContain("announcing the approved change plan");
  // Lines from Slack's own client library describe the client, not a run.
  const aboutRuns = duringRun.filter((line) => line["source"] !== "slack");
  expect(aboutRuns.length).toBeGreaterThanOrEqual(4);
  for (const line of aboutRuns) expect({ msg: line.msg, runId: line.runId }).toEqual({ msg: line.msg, runId });
  expect(duringRun.find((line) => line.msg === "announcing the approved change plan")).toMatchObject({
    runId,
    chainId: "change-plan",
    stepId: "announce",
    risk: "medium",
  });
  expect(duringRun.find((line) => line.msg === "model server answered HTTP 500")).toMatchObject({ runId, stepId: "plan" });
  expect(duringRun.find((line) => line.msg === "a runner event listener failed")).toMatchObject({ runId, event: "step.finished" });
});
