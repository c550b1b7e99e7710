import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SIGNING_SECRET, startBotHarness, type BotHarness } from "../support/bot-harness.js";
import { startFakeGitHubServer, type FakeGitHubServer } from "../support/fake-github-server.js";
import { slashCommand } from "../support/slack-requests.js";

/**
 * What starts an IaC review, through the bot's real HTTP server: GitHub's signed pull_request
 * event (the captured fixture, byte for byte), a CI job's plan, and `/baton review <url>` —
 * with the real Octokit against a fake GitHub, and every bad input's answer.
 */

const GITHUB_SECRET = "test-gh-webhook-secret";
const TOKEN = "webhook-test-token-0123456789";
const fixture = (path: string): Buffer => readFileSync(new URL(`../fixtures/${path}`, import.meta.url));
const event = fixture("github/pull-request-opened.json");
const headerOf = (name: string): string =>
  new RegExp(`^${name}: (.*)$`, "mi").exec(fixture("github/pull-request-opened.headers.txt").toString("utf8"))?.[1]?.trim() ?? "";
const HEAD = "3f1e2d4c5b6a79880f1e2d3c4b5a69788f7e6d5c";
const TF_PATCH = '@@ -10,3 +10,3 @@\n resource "terraform_data" "checkout" {\n-  input = { replicas = 2 }\n+  input = { replicas = 3 }\n }';

let github: FakeGitHubServer;
let harness: BotHarness;
beforeEach(async () => {
  github = await startFakeGitHubServer();
  github.setPullRequest("acme/infra", 42, { headSha: HEAD, title: "checkout: scale to 3 replicas", files: [{ path: "envs/prod/main.tf", patch: TF_PATCH }] });
  harness = await startBotHarness({
    environment: {
      GITHUB_TOKEN: "ghp_test",
      GITHUB_API_URL: github.apiUrl,
      GITHUB_WEBHOOK_SECRET: `rotated-new-secret, ${GITHUB_SECRET}`,
      BATON_WEBHOOK_TOKEN: TOKEN,
      // Webhook-started reviews need a channel to show their approval in (start-up refuses otherwise).
      BATON_SLACK_CHANNEL: "C0INFRA",
      BATON_CHAINS_DIR: join(import.meta.dirname, "..", "fixtures", "review-chains"),
    },
  });
});
afterEach(async () => {
  await harness.close();
  await github.close();
});

async function post(path: string, body: Buffer | string, headers: Record<string, string>): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`http://127.0.0.1:${String(harness.bot.port)}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body,
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

const githubHeaders = (overrides: Record<string, string> = {}): Record<string, string> => ({
  "x-github-event": headerOf("X-GitHub-Event"),
  "x-github-delivery": headerOf("X-GitHub-Delivery"),
  "x-hub-signature-256": headerOf("X-Hub-Signature-256"),
  ...overrides,
});

describe("POST /webhooks/github", () => {
  it("the captured signed event starts one review run of the head; a redelivery and a second event for the same head start nothing more", async () => {
    const first = await post("/webhooks/github", event, githubHeaders());
    expect(first.status).toBe(202);
    const runId = String(first.json["runId"]);
    expect(first.json).toMatchObject({ headSha: HEAD });
    const run = await harness.bot.runtime.store.getRun(runId);
    expect(run).toMatchObject({
      chainId: "iac-review",
      startedBy: "github:opened",
      input: { source: "pull_request", pullRequest: { repository: "acme/infra", number: 42, headSha: HEAD, url: "https://github.example/acme/infra/pull/42" } },
    });
    expect(await post("/webhooks/github", event, githubHeaders())).toMatchObject({ status: 202, json: { duplicate: true } });
    // Another delivery (say "reopened") of the same head: the same run.
    expect((await post("/webhooks/github", event, githubHeaders({ "x-github-delivery": "another-delivery" }))).json["runId"]).toBe(runId);
    expect(await harness.bot.runtime.store.listRuns({ chainId: "iac-review", limit: 10 })).toHaveLength(1);
    // A new head is a new review.
    github.setPullRequest("acme/infra", 42, { headSha: "9".repeat(40), files: [{ path: "envs/prod/main.tf", patch: TF_PATCH }] });
    expect((await post("/webhooks/github", event, githubHeaders({ "x-github-delivery": "third" }))).json["runId"]).not.toBe(runId);
  });

  it("a wrong or missing signature is 401 and starts nothing", async () => {
    const wrong = await post("/webhooks/github", event, githubHeaders({ "x-hub-signature-256": `sha256=${"0".repeat(64)}` }));
    expect(wrong.status).toBe(401);
    expect(wrong.json["message"]).toContain("X-Hub-Signature-256 does not match GITHUB_WEBHOOK_SECRET");
    const tampered = await post("/webhooks/github", Buffer.from(event.toString("utf8").replace('"number":42', '"number":43')), githubHeaders());
    expect(tampered.status).toBe(401);
    const { "x-hub-signature-256": _removed, ...unsigned } = githubHeaders();
    expect((await post("/webhooks/github", event, unsigned)).status).toBe(401);
    expect(await harness.bot.runtime.store.listRuns({ limit: 10 })).toEqual([]);
  });

  it("pull requests without Terraform files, drafts, pings and other actions start nothing, and say why", async () => {
    github.setPullRequest("acme/infra", 42, { headSha: HEAD, files: [{ path: "README.md", patch: "@@ -1 +1 @@\n-a\n+b" }] });
    expect(await post("/webhooks/github", event, githubHeaders())).toMatchObject({
      status: 202,
      json: { skipped: "no_terraform", message: expect.stringContaining("changes no Terraform files (1 file: README.md)") },
    });
    github.setPullRequest("acme/infra", 42, { headSha: HEAD, draft: true, files: [{ path: "main.tf", patch: TF_PATCH }] });
    expect(await post("/webhooks/github", event, githubHeaders({ "x-github-delivery": "d2" }))).toMatchObject({ status: 202, json: { skipped: "draft" } });
    expect(await post("/webhooks/github", "{}", githubHeaders({ "x-github-event": "ping", "x-hub-signature-256": signature("{}") }))).toMatchObject({
      status: 200,
      json: { ok: true },
    });
    const closed = event.toString("utf8").replace('"action":"opened"', '"action":"closed"');
    expect(await post("/webhooks/github", closed, githubHeaders({ "x-github-delivery": "d3", "x-hub-signature-256": signature(closed) }))).toMatchObject({
      status: 202,
      json: { ignored: expect.stringContaining('"closed" needs no review') },
    });
    expect(await harness.bot.runtime.store.listRuns({ limit: 10 })).toEqual([]);
  });

  it("a pull request that no longer exists is 404; a token without access is 502 naming the fix, and the redelivery works once fixed", async () => {
    github.setPullRequest("acme/infra", 42, { headSha: HEAD, files: [] });
    github.failNext(/\/pulls\/42$/, 404);
    const gone = await post("/webhooks/github", event, githubHeaders());
    expect(gone).toMatchObject({ status: 404, json: { error: "PULL_REQUEST_NOT_FOUND" } });
    github.setPullRequest("acme/infra", 42, { headSha: HEAD, files: [{ path: "main.tf", patch: TF_PATCH }] });
    github.failNext(/\/pulls\/42$/, 403);
    const denied = await post("/webhooks/github", event, githubHeaders({ "x-github-delivery": "retry-me" }));
    expect(denied).toMatchObject({ status: 502, json: { error: "GITHUB_ACCESS_DENIED", message: expect.stringContaining("Give GITHUB_TOKEN read access") } });
    expect(await post("/webhooks/github", event, githubHeaders({ "x-github-delivery": "retry-me" }))).toMatchObject({ status: 202, json: { headSha: HEAD } });
  });

  it("a payload that is not a pull_request event is 422 with the paths", async () => {
    const body = JSON.stringify({ action: "opened", number: "forty-two" });
    const answer = await post("/webhooks/github", body, githubHeaders({ "x-hub-signature-256": signature(body) }));
    expect(answer.status).toBe(422);
    expect(answer.json["message"]).toContain("number");
    expect(answer.json["message"]).toContain("pull_request");
  });
});

function signature(body: string): string {
  return `sha256=${createHmac("sha256", GITHUB_SECRET).update(body).digest("hex")}`;
}

describe("POST /webhooks/terraform-plan", () => {
  const plan = fixture("iac/terraform-data-plan.json");
  const delivery = (extra: Record<string, unknown> = {}): string =>
    JSON.stringify({ repository: "acme/infra", pullRequest: 42, commit: HEAD, plan: JSON.parse(plan.toString("utf8")) as unknown, ...extra });

  it("starts one review per posted plan, for the pull request it names", async () => {
    const body = delivery();
    const answer = await post("/webhooks/terraform-plan", body, { authorization: `Bearer ${TOKEN}` });
    expect(answer.status).toBe(202);
    const run = await harness.bot.runtime.store.getRun(String(answer.json["runId"]));
    expect(run).toMatchObject({ input: { source: "plan", pullRequest: { repository: "acme/infra", number: 42, headSha: HEAD } } });
    expect((await post("/webhooks/terraform-plan", body, { authorization: `Bearer ${TOKEN}` })).json["runId"]).toBe(answer.json["runId"]);
  });

  it("refuses a missing token, an unknown plan format, half a pull request and a body without a plan, saying what to send", async () => {
    expect((await post("/webhooks/terraform-plan", delivery(), {})).status).toBe(401);
    const future = await post("/webhooks/terraform-plan", delivery({ plan: { format_version: "2.0", resource_changes: [] } }), {
      authorization: `Bearer ${TOKEN}`,
    });
    expect(future).toMatchObject({ status: 422, json: { error: "IAC_PLAN_UNSUPPORTED", message: expect.stringContaining('format_version is "2.0"') } });
    expect(await post("/webhooks/terraform-plan", delivery({ repository: undefined }), { authorization: `Bearer ${TOKEN}` })).toMatchObject({
      status: 422,
      json: { message: expect.stringContaining('both "repository" and "pullRequest"') },
    });
    const noPlan = await post("/webhooks/terraform-plan", JSON.stringify({ repository: "acme/infra", pullRequest: 42 }), { authorization: `Bearer ${TOKEN}` });
    expect(noPlan).toMatchObject({ status: 422, json: { issues: [{ path: "plan" }] } });
    expect(await harness.bot.runtime.store.listRuns({ limit: 10 })).toEqual([]);
  });

  it("takes Checkov or Trivy results and Infracost's diff beside the plan into the run; refuses ones it cannot read with 422 and what to send", async () => {
    const checkov = JSON.parse(fixture("iac/checkov-plan.json").toString("utf8")) as unknown;
    const infracost = JSON.parse(fixture("iac/infracost-diff.json").toString("utf8")) as unknown;
    const answer = await post("/webhooks/terraform-plan", delivery({ scannerResults: [checkov], infracost }), { authorization: `Bearer ${TOKEN}` });
    expect(answer.status).toBe(202);
    expect(await harness.bot.runtime.store.getRun(String(answer.json["runId"]))).toMatchObject({
      input: { source: "plan", scannerResults: [checkov], infracost },
    });
    const sarif = await post("/webhooks/terraform-plan", delivery({ scannerResults: [{ version: "2.1.0", runs: [] }] }), { authorization: `Bearer ${TOKEN}` });
    expect(sarif).toMatchObject({
      status: 422,
      json: { error: "IAC_SCANNER_RESULTS_INVALID", message: expect.stringContaining("scannerResults[0]: this is neither Checkov JSON") },
    });
    const cost = await post("/webhooks/terraform-plan", delivery({ infracost: { totalHourlyCost: "1" } }), { authorization: `Bearer ${TOKEN}` });
    expect(cost).toMatchObject({ status: 422, json: { error: "IAC_COST_INVALID", message: expect.stringContaining("infracost is not Infracost JSON") } });
  });
});

describe("/baton review <pull request URL>", () => {
  it("starts the review in the channel, explains a pull request with nothing to review, and answers a bad URL with the usage", async () => {
    const review = (text: string, name: string) =>
      harness.post(slashCommand({ text: `review ${text}`, userId: "U0ALICE", channelId: "C0INFRA", responseUrl: harness.responseUrl(name) }, SIGNING_SECRET));
    expect((await review("<https://github.com/acme/infra/pull/42>", "ok")).status).toBe(200);
    await harness.slack.waitFor((calls) => calls.some((call) => call.method === "response:ok"));
    expect(JSON.stringify(harness.slack.callsOf("response:ok")[0]?.args)).toContain("Reviewing acme/infra#42 at `3f1e2d4`");
    const [run] = await harness.bot.runtime.store.listRuns({ limit: 1 });
    expect(run).toMatchObject({ startedBy: "U0ALICE", origin: { source: "slack", reference: { channel: "C0INFRA" } } });

    github.setPullRequest("acme/infra", 43, { headSha: "b".repeat(40), files: [{ path: "app/main.go", patch: "@@ -1 +1 @@\n-a\n+b" }] });
    await review("https://github.com/acme/infra/pull/43", "none");
    await harness.slack.waitFor((calls) => calls.some((call) => call.method === "response:none"));
    expect(JSON.stringify(harness.slack.callsOf("response:none")[0]?.args)).toContain("Not reviewing: acme/infra#43 changes no Terraform files");

    await review("https://github.com/acme/infra/pull/999", "gone");
    await harness.slack.waitFor((calls) => calls.some((call) => call.method === "response:gone"));
    expect(JSON.stringify(harness.slack.callsOf("response:gone")[0]?.args)).toContain("PULL_REQUEST_NOT_FOUND");

    const bad = await review("acme/infra#42", "bad");
    expect(bad.text).toContain("needs a pull request URL");
  });
});
