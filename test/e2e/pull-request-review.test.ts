import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import { blockKitViolations } from "../support/block-kit-limits.js";
import { startBotHarness, type BotHarness } from "../support/bot-harness.js";
import { startFakeGitHubServer, type FakeGitHubServer } from "../support/fake-github-server.js";
import { NETWORK_PATCH, reviewModel } from "../support/iac-review-fixtures.js";

/**
 * A pull request end to end through the bot, as a team would use it: GitHub's signed
 * pull_request event (the captured fixture) starts iac-review, the review to post appears in
 * Slack as an approval card, an approver clicks Approve, and exactly that review lands on the
 * pull request (fake GitHub), with the summary in the run's thread.
 */

const fixture = (path: string): Buffer => readFileSync(new URL(`../fixtures/${path}`, import.meta.url));
const headers = fixture("github/pull-request-opened.headers.txt").toString("utf8");
const header = (name: string): string => new RegExp(`^${name}: (.*)$`, "mi").exec(headers)?.[1]?.trim() ?? "";
const FIXTURE_HEAD = "3f1e2d4c5b6a79880f1e2d3c4b5a69788f7e6d5c";

let github: FakeGitHubServer;
let harness: BotHarness;
beforeEach(async () => {
  github = await startFakeGitHubServer();
  github.setPullRequest("acme/infra", 42, { headSha: FIXTURE_HEAD, files: [{ path: "network/main.tf", patch: NETWORK_PATCH }] });
  harness = await startBotHarness({
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

it("webhook → review proposed in Slack → Approve → one review on the pull request, summary in the thread", async () => {
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
  expect((await harness.bot.runtime.runner.settled(runId)).status).toBe("awaiting_approval");
  const [approval] = await harness.bot.runtime.store.listApprovals({ runId, statuses: ["pending"], limit: 1 });
  await harness.slack.waitFor((calls) =>
    calls.some(
      (call) =>
        call.method === "chat.postMessage" && call.args["channel"] === "C0INFRA" && JSON.stringify(call.args["blocks"] ?? []).includes(approval?.id ?? "?"),
    ),
  );
  const card = harness.slack.calls.find((call) => JSON.stringify(call.args["blocks"] ?? []).includes(approval?.id ?? "?"));
  // The approver reads what will be posted: the verdict and the findings.
  expect(JSON.stringify(card?.args)).toContain("AWS_DB_PUBLIC");
  expect(JSON.stringify(card?.args)).toContain("REQUEST_CHANGES");

  const click = await harness.clickCard({ actionId: "baton.approve", approvalId: approval?.id ?? "", userId: "U0PLATFORM", responseName: "approve" });
  expect(click.status).toBe(200);
  expect((await harness.bot.runtime.runner.settled(runId)).status).toBe("succeeded");
  expect(github.reviews).toHaveLength(1);
  expect(github.reviews[0]?.body).toMatchObject({ event: "REQUEST_CHANGES", commit_id: FIXTURE_HEAD });
  await harness.slack.waitFor((calls) =>
    calls.some((call) => call.method === "chat.postMessage" && String(call.args["text"] ?? "").includes("Review posted: changes requested")),
  );
  await harness.bot.slack.projection.idle();
  expect(harness.slack.calls.flatMap(blockKitViolations)).toEqual([]);
});
