import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import { openSqliteStore } from "../../src/store/open-database.js";
import { runCli, startCli, type CliProcess } from "../support/cli-process.js";
import { startFakeGitHubServer, type FakeGitHubServer } from "../support/fake-github-server.js";
import { startFakeOpenAiServer, type FakeOpenAiServer } from "../support/fake-openai-server.js";
import { HEAD, NETWORK_PATCH, reviewModel } from "../support/iac-review-fixtures.js";
import { makeTempDirectory } from "../support/temp-directory.js";

/**
 * Exactly one GitHub review per approved run, even when the process that posts it is killed
 * (SIGKILL) the moment GitHub has it — before baton could record that — and another process
 * finishes the run.
 */

let directory: ReturnType<typeof makeTempDirectory>;
let model: FakeOpenAiServer;
let github: FakeGitHubServer;
const children: CliProcess[] = [];

beforeEach(async () => {
  directory = makeTempDirectory();
  model = await startFakeOpenAiServer();
  github = await startFakeGitHubServer();
  const answers = reviewModel();
  model.setFallback((body) => answers.reply(body));
  github.setPullRequest("acme/infra", 42, { headSha: HEAD, files: [{ path: "network/main.tf", patch: NETWORK_PATCH }] });
});
afterEach(async () => {
  for (const child of children) child.child.kill("SIGKILL");
  await model.close();
  await github.close();
  directory.remove();
});

it("the approving process is killed right after GitHub accepts the review; the resumed run does not post a second one", async () => {
  const environment = {
    BATON_DB: join(directory.path, "baton.db"),
    OPENAI_API_KEY: "test-key",
    OPENAI_BASE_URL: `${model.url}/v1`,
    BATON_MODEL_MAX_RETRIES: "0",
    GITHUB_TOKEN: "ghp_test",
    GITHUB_API_URL: github.apiUrl,
  };
  const input = join(directory.path, "pull-request.json");
  writeFileSync(input, JSON.stringify({ source: "pull_request", pullRequest: { repository: "acme/infra", number: 42, headSha: HEAD } }));
  const started = await runCli(["run", "iac-review", "--input", input, "--no-wait"], environment);
  expect(started.code).toBe(0);
  const store = openSqliteStore(environment.BATON_DB);
  try {
    const [run] = await store.listRuns({ limit: 1 });
    const [approval] = await store.listApprovals({ runId: run?.id ?? "", statuses: ["pending"], limit: 1 });
    const approving = startCli(["approve", approval?.id ?? ""], environment);
    children.push(approving);
    github.onReviewPosted = () => approving.child.kill("SIGKILL");
    await approving.exited;
    github.onReviewPosted = undefined;
    expect(github.reviews).toHaveLength(1);
    expect((await store.getRun(run?.id ?? ""))?.status).toBe("running");

    const resumed = await runCli(["resume"], environment);
    expect(resumed.code).toBe(0);
    expect((await store.getRun(run?.id ?? ""))?.status).toBe("succeeded");
    expect(github.reviews).toHaveLength(1);
    const post = (await store.getSteps(run?.id ?? "")).find((step) => step.stepId === "post")?.output;
    expect(post).toMatchObject({ posted: true, event: "REQUEST_CHANGES" });
  } finally {
    store.close();
  }
}, 60_000);
