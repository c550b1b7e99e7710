import { afterEach, beforeEach, describe, expect, it } from "vitest";
import iacReview from "../../chains/iac-review/index.js";
import { ChainRegistry } from "../../src/core/chain-registry.js";
import { OctokitPullRequests } from "../../src/github/octokit-pull-requests.js";
import { ReviewRuns } from "../../src/use-cases/review-runs.js";
import { startFakeGitHubServer, type FakeGitHubServer } from "../support/fake-github-server.js";
import { HEAD, NETWORK_PATCH, NEW_HEAD, reviewModel } from "../support/iac-review-fixtures.js";
import { createHarness, type Harness } from "../support/runner-harness.js";
import { readFileSync } from "node:fs";
import { renderApprovalCard } from "../../src/slack/render/approval-card.js";
import { chainViewOf } from "../../src/slack/render/progress-card.js";

/**
 * iac-review through the real runner, store and openai client (fake model) and the real
 * Octokit (fake GitHub that refuses comments off the diff, as GitHub does).
 */

let github: FakeGitHubServer;
let harness: Harness | undefined;
const ref = { repository: "acme/infra", number: 42 };

beforeEach(async () => {
  github = await startFakeGitHubServer();
  github.setPullRequest("acme/infra", 42, {
    headSha: HEAD,
    title: "Admin access and a public database",
    files: [{ path: "network/main.tf", patch: NETWORK_PATCH }],
    contents: { ".baton/iac-policies.json": JSON.stringify({ rules: { REQUIRED_TAGS: { enabled: false } } }) },
  });
});
afterEach(async () => {
  await harness?.close();
  harness = undefined;
  await github.close();
});

async function start(options: { inventResourceFirst?: boolean } = {}): Promise<{ harness: Harness; runId: string }> {
  const host = new OctokitPullRequests({ token: "ghp_test", apiUrl: github.apiUrl });
  let reviews: ReviewRuns | undefined;
  const started = await createHarness([iacReview], {
    resources: { pullRequests: host, reviews: { reviewPullRequest: (pull, by) => (reviews as ReviewRuns).reviewPullRequest(pull, by) } },
  });
  reviews = new ReviewRuns({ runner: started.runner, chains: new ChainRegistry([iacReview]), host, chainId: "iac-review", reviewDrafts: false });
  const model = reviewModel(options);
  started.server.setFallback((body) => model.reply(body));
  harness = started;
  const outcome = await reviews.reviewPullRequest(ref, "U0ALICE");
  if (!outcome.started) throw new Error(outcome.message);
  return { harness: started, runId: outcome.runId };
}

describe("iac-review", () => {
  it("reviews a pull request: rule findings kept at their severity, model findings marked, a resource the model invented sent back; after approval exactly one review is posted, with comments only on diff lines", async () => {
    const { harness, runId } = await start({ inventResourceFirst: true });
    expect((await harness.runner.settled(runId)).status).toBe("awaiting_approval");
    const steps = await harness.store.getSteps(runId);
    const output = (id: string): unknown => steps.find((step) => step.stepId === id)?.output;

    const findings = (
      output("cross-check") as { findings: Array<{ source: string; ruleId: string | null; severity: string; resourceAddress: string; line: number | null }> }
    ).findings;
    expect(
      findings.map((finding) => `${finding.source} ${finding.ruleId ?? "-"} ${finding.severity} ${finding.resourceAddress}:${String(finding.line)}`),
    ).toEqual([
      "rule AWS_DB_PUBLIC critical aws_db_instance.orders:69",
      "rule AWS_SG_OPEN_INGRESS high aws_security_group.admin:10",
      "model - medium aws_db_instance.orders:67",
    ]);
    const reask = harness.server.requests.filter((request) => JSON.stringify(request.body).includes("reviewing a Terraform change")).at(-1);
    expect(JSON.stringify(reask?.body)).toContain('\\"aws_s3_bucket.ghost\\" is not a resource in this change');

    // The approver sees exactly what will be posted.
    const [approval] = await harness.store.listApprovals({ runId, statuses: ["pending"], limit: 1 });
    expect(approval?.stepId).toBe("review-draft");
    const draft = approval?.proposal as { event: string; body: string; comments: Array<{ path: string; line: number }> };
    expect(draft.event).toBe("REQUEST_CHANGES");
    expect(draft.comments.map((comment) => `${comment.path}:${String(comment.line)}`)).toEqual([
      "network/main.tf:69",
      "network/main.tf:10",
      "network/main.tf:67",
    ]);
    expect(draft.body).toContain("| 🛑 critical | `AWS_DB_PUBLIC`");
    expect(draft.body).toContain("model: Flipping the orders database");

    await harness.runner.decide(approval?.id ?? "", { kind: "approve" }, { id: "U0LEAD" });
    expect((await harness.runner.settled(runId)).status).toBe("succeeded");
    expect(github.reviews).toHaveLength(1);
    const [posted] = github.reviews;
    expect(posted?.body).toMatchObject({ event: "REQUEST_CHANGES", commit_id: HEAD });
    expect(posted?.body.body).toContain(`<!-- baton-review run=${runId} -->`);
    expect(posted?.body.comments?.every((comment) => comment.side === "RIGHT")).toBe(true);
    expect(harness.notifier.sent.at(-1)?.text).toContain("https://github.example/acme/infra/pull/42#pullrequestreview-");
  });

  it("a review that GitHub already has (posted before a crash) is found by its marker, not posted again", async () => {
    const { harness, runId } = await start();
    await harness.runner.settled(runId);
    const [approval] = await harness.store.listApprovals({ runId, statuses: ["pending"], limit: 1 });
    // GitHub accepted this run's review, but the process died before it could record that.
    github.reviews.push({
      repository: "acme/infra",
      number: 42,
      body: { body: `earlier\n\n<!-- baton-review run=${runId} -->`, commit_id: HEAD, event: "REQUEST_CHANGES" },
    });
    await harness.runner.decide(approval?.id ?? "", { kind: "approve" }, { id: "U0LEAD" });
    expect((await harness.runner.settled(runId)).status).toBe("succeeded");
    expect(github.reviews).toHaveLength(1);
    expect(github.requests.filter((request) => request.method === "POST")).toHaveLength(0);
  });

  it("a head that moved while the review waited is not reviewed stale: the new head gets its own run and nothing is posted", async () => {
    const { harness, runId } = await start();
    await harness.runner.settled(runId);
    github.setPullRequest("acme/infra", 42, { headSha: NEW_HEAD, files: [{ path: "network/main.tf", patch: NETWORK_PATCH }] });
    const [approval] = await harness.store.listApprovals({ runId, statuses: ["pending"], limit: 1 });
    await harness.runner.decide(approval?.id ?? "", { kind: "approve" }, { id: "U0LEAD" });
    expect((await harness.runner.settled(runId)).status).toBe("succeeded");
    const post = (await harness.store.getSteps(runId)).find((step) => step.stepId === "post")?.output as { posted: boolean; reason: string; rerunId: string };
    expect(post.posted).toBe(false);
    expect(post.reason).toContain("moved from 1111111 to 2222222");
    expect(github.reviews).toHaveLength(0);
    const rerun = await harness.store.getRun(post.rerunId);
    expect(rerun?.input).toMatchObject({ pullRequest: { headSha: NEW_HEAD } });
  });

  it("puts the plan summary first in the review and in the Slack approval card, and lists suppressed findings with their reason", async () => {
    github.setPullRequest("acme/infra", 42, {
      headSha: HEAD,
      title: "Admin access and a public database",
      files: [{ path: "network/main.tf", patch: NETWORK_PATCH }],
      contents: {
        ".baton/iac-policies.json": JSON.stringify({
          rules: { REQUIRED_TAGS: { enabled: false } },
          suppressions: [
            { rule: "AWS_SG_OPEN_INGRESS", address: "aws_security_group.admin", reason: "bastion behind the VPN (INFRA-42)", until: "2099-12-31" },
          ],
        }),
      },
    });
    const { harness, runId } = await start();
    expect((await harness.runner.settled(runId)).status).toBe("awaiting_approval");
    const [approval] = await harness.store.listApprovals({ runId, statuses: ["pending"], limit: 1 });
    const draft = approval?.proposal as { body: string; comments: Array<{ body: string }> };
    expect(draft.body.startsWith("### IaC review: changes requested\n\n```\nPlan: 1 to create, 1 to update, 0 to replace, 0 to destroy.\n```\n")).toBe(true);
    expect(draft.body).toContain(
      "**Suppressed (1)**\n- `AWS_SG_OPEN_INGRESS` on `aws_security_group.admin`: suppressed until 2099-12-31 (.baton/iac-policies.json suppressions[0]): bastion behind the VPN (INFRA-42)",
    );
    // The suppressed finding is neither a comment nor a row that blocks.
    expect(draft.comments.some((comment) => comment.body.includes("AWS_SG_OPEN_INGRESS"))).toBe(false);
    const run = await harness.store.getRun(runId);
    if (!approval || !run) throw new Error("no approval");
    const card = JSON.stringify(
      renderApprovalCard({ approval, run, chain: chainViewOf(new ChainRegistry([iacReview]).get("iac-review")), scripted: false, now: Date.now() }),
    );
    expect(card).toContain("Plan: 1 to create, 1 to update, 0 to replace, 0 to destroy.");
  });

  it("a plan with Checkov results and Infracost's diff: the model sees the scanners' findings, the review names the stateful destroys and the monthly rise", async () => {
    const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(`../fixtures/iac/${name}`, import.meta.url), "utf8"));
    const host = new OctokitPullRequests({ token: "ghp_test", apiUrl: github.apiUrl });
    const started = await createHarness([iacReview], { resources: { pullRequests: host } });
    harness = started;
    const model = reviewModel();
    started.server.setFallback((body) => model.reply(body));
    const reviews = new ReviewRuns({ runner: started.runner, chains: new ChainRegistry([iacReview]), host, chainId: "iac-review", reviewDrafts: false });
    const input = { plan: fixture("aws-risky-plan.json"), scannerResults: [fixture("checkov-plan.json")], infracost: fixture("infracost-diff.json") };
    const { runId } = await reviews.reviewPlan(input, JSON.stringify(input), "U0ALICE");
    expect((await started.runner.settled(runId)).status).toBe("awaiting_approval");
    const prompt = JSON.stringify(started.server.requests.find((request) => JSON.stringify(request.body).includes("reviewing a Terraform change"))?.body);
    expect(prompt).toContain("AWS_SG_OPEN_INGRESS high aws_security_group.admin: ");
    expect(prompt).toContain("[reported by baton AWS_SG_OPEN_INGRESS, checkov CKV_AWS_24]");
    expect(prompt).not.toContain("[reported by baton AWS_DB_PUBLIC]");
    expect(prompt).toContain(
      "CKV_AWS_18 high aws_s3_bucket.public: Ensure the S3 bucket has access logging enabled (checkov CKV_AWS_18) [reported by checkov CKV_AWS_18]",
    );
    const [approval] = await started.store.listApprovals({ runId, statuses: ["pending"], limit: 1 });
    const body = (approval?.proposal as { body: string }).body;
    expect(body).toContain("! replaces stateful aws_dynamodb_table.sessions\n! destroys stateful aws_ebs_volume.data");
    expect(body).toContain("Monthly cost: +801.08 USD (2,045.92 USD → 2,847.00 USD)");
    expect(body.indexOf("Monthly cost")).toBeLessThan(body.indexOf("| severity |"));
  });
});
