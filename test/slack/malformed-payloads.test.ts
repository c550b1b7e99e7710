import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { MALFORMED_MESSAGE } from "../../src/slack/request-guard.js";
import { approvalKey } from "../../src/slack/run-projection.js";
import { APPROVER, REQUESTER, SIGNING_SECRET, startBotHarness, type BotHarness } from "../support/bot-harness.js";
import { approveClick, type MalformedCase, malformedCases, type Originals } from "../support/malformed-slack-payloads.js";
import { signBody, slashCommand, type SlackPost } from "../support/slack-requests.js";
import { recordingLogger } from "../support/recording-logger.js";

/**
 * Signed requests into the real Bolt HTTP receiver that a baton listener handles but that lack a
 * field Slack always sends. Before the shape check, Bolt read `body.user.id` (or
 * `body.actions[0]`, `body.view`…) before any listener ran, logged the error and never
 * acknowledged: Slack waited 3 s, showed the person an error, and sent it again.
 */

const { logger, lines } = recordingLogger();

let harness: BotHarness;
let originals: Originals;
let runId: string;

async function waitFor<Value>(probe: () => Promise<Value | undefined>, timeoutMs = 5_000): Promise<Value> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function post(kind: MalformedCase["kind"], payload: Record<string, unknown>): SlackPost {
  const [body, contentType] =
    kind === "events_api"
      ? [JSON.stringify(payload), "application/json"]
      : kind === "slash_commands"
        ? [new URLSearchParams(payload as Record<string, string>).toString(), "application/x-www-form-urlencoded"]
        : [new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), "application/x-www-form-urlencoded"];
  return { body, headers: { "content-type": contentType, ...signBody(body, SIGNING_SECRET) } };
}

beforeAll(async () => {
  harness = await startBotHarness({ logger });
  const store = harness.bot.runtime.store;
  const started = await harness.post(
    slashCommand({ text: "run change-plan restart the api pods", userId: REQUESTER, responseUrl: harness.responseUrl("run") }, SIGNING_SECRET),
  );
  expect(started.status).toBe(200);
  const run = await waitFor(async () => (await store.listRuns({ limit: 1 }))[0]);
  runId = run.id;
  const approval = await waitFor(async () => (await store.listApprovals({ runId, statuses: ["pending"], limit: 1 }))[0]);
  const card = await waitFor(async () => {
    const posted = await harness.bot.runtime.ledger.getMessage(approvalKey(approval.id));
    return posted?.ts ? { channel: posted.channel, ts: posted.ts } : undefined;
  });
  originals = { approvalId: approval.id, channel: card.channel, ts: card.ts, userId: APPROVER, responseUrl: harness.responseUrl("malformed") };
}, 20_000);
afterAll(async () => {
  await harness.close();
});
beforeEach(() => {
  lines.length = 0;
});

/** Nothing changed: the one run still waits for its one approval, and nothing failed. */
async function nothingDecided(): Promise<void> {
  const store = harness.bot.runtime.store;
  expect((await store.listRuns({ limit: 10 })).map((run) => run.id)).toEqual([runId]);
  expect((await store.getApproval(originals.approvalId))?.status).toBe("pending");
  expect((await store.getRun(runId))?.status).toBe("awaiting_approval");
  expect(lines.filter((line) => line.level === "error")).toEqual([]);
  const health = await fetch(`http://127.0.0.1:${String(harness.bot.port)}/healthz`);
  expect(health.status).toBe(200);
}

describe("signed Slack requests a listener handles, without a field Slack always sends", () => {
  // The cases are built once the run exists; it.each needs them before, so one test per case is looped here.
  it("each is acknowledged at once with an empty 200 and a warning naming the field, and nothing is started or decided", async () => {
    const cases = malformedCases(originals);
    expect(cases.length).toBeGreaterThan(15);
    for (const malformed of cases) {
      lines.length = 0;
      const answer = await harness.post(post(malformed.kind, malformed.payload));
      expect({ name: malformed.name, status: answer.status, text: answer.text }).toEqual({ name: malformed.name, status: 200, text: "" });
      // Bolt's own answer to a request no listener acknowledged comes after 3,001 ms.
      expect(answer.elapsedMs).toBeLessThan(1_000);
      const warnings = lines.filter((line) => line.level === "warn");
      expect(warnings.map((line) => line.message)).toEqual([MALFORMED_MESSAGE]);
      expect({ name: malformed.name, problem: String(warnings[0]?.fields["problem"]) }).toEqual({
        name: malformed.name,
        problem: expect.stringMatching(new RegExp(`^${malformed.problem.replaceAll(".", "\\.")}`)),
      });
      await nothingDecided();
    }
  }, 30_000);

  it("a click whose first action is someone else's is acknowledged without a decision, although baton's Approve follows it (Bolt runs the first)", async () => {
    const click = approveClick(originals);
    const [approve] = click["actions"] as unknown[];
    const answer = await harness.post(post("interactive", { ...click, actions: [{ type: "button", action_id: "someone.else", value: "x" }, approve] }));
    expect(answer.status).toBe(200);
    expect(answer.text).toBe("");
    expect(answer.elapsedMs).toBeLessThan(1_000);
    expect(lines).toContainEqual(expect.objectContaining({ level: "debug", message: "acknowledged a Slack request no listener handles" }));
    await nothingDecided();
  });

  it("after all of them, a real /baton help and a real Approve click still work, and the run finishes", async () => {
    const help = await harness.post(slashCommand({ text: "help", responseUrl: harness.responseUrl("help") }, SIGNING_SECRET));
    expect(help.status).toBe(200);
    expect(help.text).toContain("baton commands");

    const approved = await harness.post(post("interactive", approveClick(originals)));
    expect(approved.status).toBe(200);
    const store = harness.bot.runtime.store;
    await waitFor(async () => ((await store.getRun(runId))?.status === "succeeded" ? true : undefined));
    expect((await store.getApproval(originals.approvalId))?.status).toBe("approved");
    expect(lines.filter((line) => line.level === "warn" || line.level === "error")).toEqual([]);
  }, 20_000);
});
