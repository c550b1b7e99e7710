import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { commentableLines, parsePullRequestUrl, unifiedDiffOf } from "../../src/core/pull-requests.js";
import { BatonError } from "../../src/core/errors.js";
import { OctokitPullRequests } from "../../src/github/octokit-pull-requests.js";
import { startFakeGitHubServer, type FakeGitHubServer } from "../support/fake-github-server.js";

/** The real Octokit against a fake GitHub REST API on loopback. */

let github: FakeGitHubServer;
let host: OctokitPullRequests;
const ref = { repository: "acme/infra", number: 42 };
const PATCH = '@@ -1,3 +1,4 @@\n resource "aws_s3_bucket" "logs" {\n-  bucket = "old"\n+  bucket = "logs"\n+  acl    = "public-read"\n }';

beforeEach(async () => {
  github = await startFakeGitHubServer();
  host = new OctokitPullRequests({ token: "ghp_test", apiUrl: github.apiUrl });
  github.setPullRequest("acme/infra", 42, {
    headSha: "abc123",
    title: "Buckets",
    files: [
      { path: "main.tf", patch: PATCH },
      ...Array.from({ length: 130 }, (_, index) => ({ path: `docs/page-${String(index)}.md`, patch: "@@ -0,0 +1 @@\n+x" })),
    ],
  });
});
afterEach(async () => {
  await github.close();
});

describe("OctokitPullRequests", () => {
  it("reads the pull request and every page of its files, with the token", async () => {
    expect(await host.get(ref)).toMatchObject({ repository: "acme/infra", number: 42, headSha: "abc123", draft: false, state: "open", title: "Buckets" });
    const files = await host.listFiles(ref);
    expect(files).toHaveLength(131);
    expect(files[0]).toEqual({ path: "main.tf", status: "modified", previousPath: undefined, patch: PATCH });
    expect(github.requests.filter((request) => request.path.endsWith("/files"))).toHaveLength(2);
    expect(github.requests.every((request) => request.authorization === "token ghp_test")).toBe(true);
  });

  it("posts a review with line comments on the new side, and lists it back", async () => {
    const posted = await host.createReview(ref, {
      commitId: "abc123",
      event: "REQUEST_CHANGES",
      body: "review",
      comments: [
        { path: "main.tf", line: 3, body: "public ACL" },
        { path: "main.tf", startLine: 2, line: 3, body: "range" },
      ],
    });
    expect(posted).toMatchObject({ commitId: "abc123", body: "review" });
    expect(github.reviews[0]?.body).toMatchObject({
      event: "REQUEST_CHANGES",
      comments: [
        { path: "main.tf", line: 3, side: "RIGHT" },
        { path: "main.tf", start_line: 2, start_side: "RIGHT", line: 3 },
      ],
    });
    expect((await host.listReviews(ref)).map((review) => review.body)).toEqual(["review"]);
  });

  it("reads a repository file at a commit, and answers undefined for one that does not exist", async () => {
    github.setPullRequest("acme/infra", 42, { headSha: "abc123", files: [], contents: { ".baton/iac-policies.json": '{"rules":{}}' } });
    expect(await host.readFile(ref, ".baton/iac-policies.json", "abc123")).toBe('{"rules":{}}');
    expect(await host.readFile(ref, ".baton/missing.json", "abc123")).toBeUndefined();
  });

  it("turns 404, 403 and 5xx into errors that say what to do", async () => {
    const failure = async (work: () => Promise<unknown>): Promise<BatonError> => {
      try {
        await work();
      } catch (error) {
        if (error instanceof BatonError) return error;
        throw error;
      }
      throw new Error("expected a BatonError");
    };
    expect((await failure(() => host.get({ repository: "acme/infra", number: 7 }))).code).toBe("PULL_REQUEST_NOT_FOUND");
    github.failNext(/\/pulls\/42$/, 403);
    const denied = await failure(() => host.get(ref));
    expect(denied.code).toBe("GITHUB_ACCESS_DENIED");
    expect(denied.message).toContain("Give GITHUB_TOKEN read access to pull requests");
    github.failNext(/\/files$/, 502, 10);
    expect((await failure(() => host.listFiles(ref))).code).toBe("GITHUB_UNAVAILABLE");
    const offDiff = await failure(() =>
      host.createReview(ref, { commitId: "abc123", event: "COMMENT", body: "x", comments: [{ path: "main.tf", line: 40, body: "not in the diff" }] }),
    );
    expect(offDiff.code).toBe("GITHUB_REJECTED");
    expect(offDiff.message).toContain("Pull request review thread line must be part of the diff");
  });
});

describe("pull request helpers", () => {
  it("parses pull request URLs, GitHub Enterprise included, and refuses anything else", () => {
    expect(parsePullRequestUrl("https://github.com/acme/infra/pull/42")).toEqual({ repository: "acme/infra", number: 42 });
    expect(parsePullRequestUrl("https://ghe.corp.example/platform/network/pull/7/files")).toEqual({ repository: "platform/network", number: 7 });
    expect(parsePullRequestUrl("https://github.com/acme/infra/issues/42")).toBeUndefined();
    expect(parsePullRequestUrl("acme/infra#42")).toBeUndefined();
  });

  it("knows which new-side lines of a diff a comment may go on", () => {
    const diff = unifiedDiffOf([
      {
        path: "main.tf",
        status: "modified",
        previousPath: undefined,
        patch: '@@ -10,4 +10,5 @@ resource "x" "y" {\n   a = 1\n-  b = 2\n+  b = 3\n+  c = 4\n   d = 5\n@@ -40 +41 @@\n-old\n+new',
      },
      { path: "gone.tf", status: "removed", previousPath: undefined, patch: "@@ -1,2 +0,0 @@\n-a\n-b" },
    ]);
    const lines = commentableLines(diff);
    expect([...(lines.get("main.tf") ?? [])]).toEqual([10, 11, 12, 13, 41]);
    expect(lines.has("gone.tf")).toBe(false);
  });

  it("joins file patches into one unified diff with git headers", () => {
    expect(
      unifiedDiffOf([
        { path: "a.tf", status: "added", previousPath: undefined, patch: "@@ -0,0 +1 @@\n+x" },
        { path: "b.bin", status: "modified", previousPath: undefined, patch: undefined },
      ]),
    ).toBe("diff --git a/a.tf b/a.tf\n--- /dev/null\n+++ b/a.tf\n@@ -0,0 +1 @@\n+x\n");
  });
});
