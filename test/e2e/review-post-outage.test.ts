import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import { startBotHarness, type BotHarness } from "../support/bot-harness.js";
import { startFakeGitHubServer, type FakeGitHubServer } from "../support/fake-github-server.js";
import { NETWORK_PATCH, reviewModel } from "../support/iac-review-fixtures.js";

/**
 * GitHub failing while an approved review is posted (issue 14, "Done when"): the pull request
 * webhook starts iac-review, an approver clicks Approve on the card, and GitHub answers the
 * review's POST with 502 twice (the second time with a `retry-after`). The post step waits
 * (durable retries on a clock the test moves), tries again, and the review lands once.
 */

const fixture = (path: string): Buffer => readFileSync(new URL(`../fixtures/${path}`, import.meta.url));
const headers = fixture("github/pull-request-opened.headers.txt").toString("utf8");
const header = (name: string): string => new RegExp(`^${name}: (.*)$`, "mi").exec(headers)?.[1]?.trim() ?? "";
const FIXTURE_HEAD = "3f1e2d4c5b6a79880f1e2d3c4b5a69788f7e6d5c";
const REVIEWS_PATH = /^\/repos\/acme\/infra\/pulls\/42\/reviews$/;

let now = Date.now();
const clock = { now: () => now };
let github: FakeGitHubServer;
let harness: BotHarness;
beforeEach(async () => {
  now = Date.now();
  github = await startFakeGitHubServer();
  github.setPullRequest("acme/infra", 42, { headSha: FIXTURE_HEAD, files: [{ path: "network/main.tf", patch: NETWORK_PATCH }] });
  harness = await startBotHarness({
    clock,
    environment: {
      BATON_CHAINS_DIR: join(import.meta.dirname, "..", "..", "chains"),
      GITHUB_TOKEN: "ghp_test",
      GITHUB_API_URL: github.apiUrl,
      GITHUB_WEBHOOK_SECRET: "test-gh-webhook-secret",
      BATON_SLACK_CHANNEL: "C0INFRA",
      BATON_APPROVERS: "U0PLATFORM",
    },
  });
  const model = reviewModel();
  harness.model.setFallback((body) => model.reply(body));
});
afterEach(async () => {
  await harness.close();
  await github.close();
});

const reviewPosts = (): number => github.requests.filter((request) => request.method === "POST" && REVIEWS_PATH.test(request.path)).length;

it("GitHub answers the approved review's POST with 502 twice: the run waits, honours retry-after, posts the review once and succeeds", async () => {
  const delivered = await fetch(`http://127.0.0.1:${String(harness.bot.port)}/webhooks/github`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-github-event": header("X-GitHub-Event"),
      "x-github-delivery": header("X-GitHub-Delivery"),
      "x-hub-signature-256": header("X-Hub-Signature-256"),
    },
    body: fixture("github/pull-request-opened.json"),
  });
  expect(delivered.status).toBe(202);
  const { runId } = (await delivered.json()) as { runId: string };
  const { store, runner } = harness.bot.runtime;
  expect((await runner.settled(runId)).status).toBe("awaiting_approval");
  const [approval] = await store.listApprovals({ runId, statuses: ["pending"], limit: 1 });

  // GitHub's 502 (a request it gave up on), the second one with retry-after: 120.
  github.failNext(REVIEWS_PATH, 502, 1, { method: "POST" });
  github.failNext(REVIEWS_PATH, 502, 1, { method: "POST", retryAfterSeconds: 120 });
  const click = await harness.clickCard({ actionId: "baton.approve", approvalId: approval?.id ?? "", userId: "U0PLATFORM", responseName: "approve" });
  expect(click.status).toBe(200);

  // The first 502: the run waits for GitHub, on the action step's backoff.
  const first = await waitForRetry(runId, 1);
  expect(first.waitingFor).toBe("github");
  expect((await store.getRun(runId))?.status).toBe("running");
  now = first.nextAttemptAt;
  await harness.bot.stepRetries.tick();

  // The second 502 said retry-after: 120, so the next try is no sooner than that.
  const second = await waitForRetry(runId, 2);
  expect(second.nextAttemptAt).toBeGreaterThanOrEqual(now + 120_000);
  now = second.nextAttemptAt;
  await harness.bot.stepRetries.tick();

  expect((await runner.settled(runId)).status).toBe("succeeded");
  expect(reviewPosts()).toBe(3);
  expect(github.reviews).toHaveLength(1);
  expect(github.reviews[0]?.body).toMatchObject({ event: "REQUEST_CHANGES", commit_id: FIXTURE_HEAD });
  expect(await store.getRetry(runId)).toBeUndefined();
  await harness.slack.waitFor((calls) =>
    calls.some((call) => call.method === "chat.postMessage" && String(call.args["text"] ?? "").includes("Review posted: changes requested")),
  );
});

async function waitForRetry(runId: string, attempt: number): Promise<{ nextAttemptAt: number; waitingFor: string }> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const retry = await harness.bot.runtime.store.getRetry(runId);
    if (retry !== undefined && retry.attempt === attempt) return retry;
    if (Date.now() > deadline) throw new Error(`timed out waiting for try ${String(attempt)} of run ${runId} to be scheduled (now: ${JSON.stringify(retry)})`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
