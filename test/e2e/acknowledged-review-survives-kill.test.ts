import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openSqliteState, type SqliteState } from "../../src/store/index.js";
import { pollUntil, startBotChild, type BotChild } from "../support/bot-child.js";
import { startFakeGitHubServer, type FakeGitHubServer } from "../support/fake-github-server.js";
import { startFakeSlackServer, type FakeSlackServer } from "../support/fake-slack-server.js";
import { postToSlackEndpoint, slashCommand } from "../support/slack-requests.js";
import { makeTempDirectory } from "../support/temp-directory.js";

/**
 * `/baton review <url>` reads GitHub before its run can start, which is more than Slack waits
 * for the ack: the request is recorded as a command intent before the ack. The bot (`npm
 * start`, a real process) is SIGKILLed the moment the command got its 200; the next process
 * does the review and tells the person, once.
 */

const SECRET = "0f1e2d3c4b5a69788796a5b4c3d2e1f1";
const HEAD = "3f1e2d4c5b6a79880f1e2d3c4b5a69788f7e6d5c";
const directory = makeTempDirectory("baton-review-kill-");
const database = join(directory.path, "baton.db");
let slack: FakeSlackServer;
let github: FakeGitHubServer;
let state: SqliteState;
const bots: BotChild[] = [];

beforeAll(async () => {
  slack = await startFakeSlackServer();
  github = await startFakeGitHubServer();
  github.setPullRequest("acme/infra", 42, {
    headSha: HEAD,
    title: "checkout: scale to 3 replicas",
    files: [{ path: "envs/prod/main.tf", patch: "@@ -1 +1 @@\n-  replicas = 2\n+  replicas = 3" }],
  });
  state = openSqliteState(database);
});
afterAll(async () => {
  for (const bot of bots) await bot.kill();
  state.close();
  await Promise.all([slack.close(), github.close()]);
  directory.remove();
});

async function startBot(): Promise<BotChild> {
  const bot = await startBotChild({
    BATON_DB: database,
    BATON_MODEL: "scripted",
    BATON_CHAINS_DIR: join(import.meta.dirname, "..", "fixtures", "review-chains"),
    GITHUB_TOKEN: "ghp_kill_test",
    GITHUB_API_URL: github.apiUrl,
    SLACK_BOT_TOKEN: "xoxb-review-kill",
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_API_URL: slack.apiUrl,
  });
  bots.push(bot);
  return bot;
}

describe("/baton review acknowledged with 200, then SIGKILL", () => {
  it("the next process reviews the pull request once and tells the person in the channel", async () => {
    const first = await startBot();
    const command = slashCommand(
      { text: "review https://github.com/acme/infra/pull/42", userId: "U0ALICE", channelId: "C0INFRA", responseUrl: `${slack.url}/response/review` },
      SECRET,
    );
    const answer = await postToSlackEndpoint(`http://127.0.0.1:${String(first.port)}/slack/events`, command);
    expect(answer.status).toBe(200);
    await first.kill();
    // What was acknowledged is on disk: the intent, or (if the first process got that far) the run.
    const open = await state.intents.listOpenIntents(10);
    const runsAtKill = await state.store.listRuns({ chainId: "iac-review", limit: 10 });
    expect(open.length + runsAtKill.length).toBeGreaterThan(0);

    await startBot();
    const runs = await pollUntil(
      () => state.store.listRuns({ chainId: "iac-review", limit: 10 }),
      (found) => found.length > 0,
    );
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ startedBy: "U0ALICE", origin: { source: "slack", reference: { channel: "C0INFRA" } } });
    expect(
      await pollUntil(
        () => state.intents.listOpenIntents(10),
        (intents) => intents.length === 0,
      ),
    ).toEqual([]);
    // The person hears about it: from the next process (ephemeral, naming the run) when the
    // first died with the intent open; else the first answered through the response_url.
    if (open.length > 0)
      await slack.waitFor(
        (calls) =>
          calls.some(
            (call) => call.method === "chat.postEphemeral" && call.args["user"] === "U0ALICE" && JSON.stringify(call.args).includes(runs[0]?.id ?? "-"),
          ),
        10_000,
      );
    else expect(slack.callsOf("response:review").some((call) => JSON.stringify(call.args).includes("Reviewing acme/infra#42"))).toBe(true);
    for (const bot of bots.splice(0)) await bot.stop();
    expect(await state.store.listRuns({ chainId: "iac-review", limit: 10 })).toHaveLength(1);
  }, 60_000);
});
