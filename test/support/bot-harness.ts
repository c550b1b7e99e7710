import { join } from "node:path";
import { parseBotConfig } from "../../src/bot-config.js";
import { parseConfig } from "../../src/config.js";
import type { Clock, Logger } from "../../src/core/ports.js";
import { startBot, type RunningBot } from "../../src/runtime/start-bot.js";
import type { ModelServerProfile } from "./fake-model-server-profiles.js";
import { startFakeOpenAiServer, type FakeOpenAiServer, type FakeReply } from "./fake-openai-server.js";
import { startFakeSlackServer, type FakeSlackServer } from "./fake-slack-server.js";
import { silentLogger } from "./runner-harness.js";
import { approvalKey } from "../../src/slack/run-projection.js";
import { buttonClick, postToSlackEndpoint, type SlackPost } from "./slack-requests.js";
import { makeTempDirectory } from "./temp-directory.js";

/**
 * The whole bot in this process, as `npm start` builds it, on a real SQLite file, with its HTTP
 * receiver on a loopback port, the real Slack Web API client talking to a fake Slack, and the
 * real `openai` client talking to a fake model server.
 */

export const SIGNING_SECRET = "8f742231b10e8888abcd00000a0085a5";
export const APPROVER = "U0APPROVER";
export const REQUESTER = "U0ALICE";

export interface BotHarness {
  slack: FakeSlackServer;
  model: FakeOpenAiServer;
  bot: RunningBot;
  eventsUrl: string;
  databasePath: string;
  /** A response_url on the fake Slack server; posts to it are recorded as `response:<name>`. */
  responseUrl(name: string): string;
  post(post: SlackPost): Promise<{ status: number; text: string; elapsedMs: number }>;
  /**
   * Click a button on an approval's card in its thread, as Slack sends it: from the message baton
   * posted (its channel and ts), which the bot checks the approval id against.
   */
  clickCard(fields: {
    actionId: string;
    approvalId: string;
    userId: string;
    responseName?: string;
    triggerId?: string;
  }): Promise<{ status: number; text: string; elapsedMs: number }>;
  /** Stop the bot and start a new one on the same database and fake servers (a restart). */
  restart(): Promise<void>;
  close(): Promise<void>;
}

/** Model answers by the step marker in the system prompt (`STEP:plan`). */
export function answerBySystemPrompt(answers: Record<string, unknown>): (body: unknown) => FakeReply {
  return (body) => {
    const messages = (body as { messages?: Array<{ role: string; content: string }> }).messages ?? [];
    const system = messages.find((message) => message.role === "system")?.content ?? "";
    const step = /STEP:([a-z-]+)/.exec(system)?.[1] ?? "";
    const value = answers[step];
    return value === undefined ? { kind: "status", status: 500, body: { error: { message: `no answer for step ${step}` } } } : { kind: "json", value };
  };
}

export const PLAN_ANSWER = {
  summary: "Restart the API pods one by one behind the load balancer.",
  risk: "medium",
  steps: ["drain pod 1", "restart pod 1", "repeat"],
};

export async function startBotHarness(
  options: {
    environment?: Record<string, string>;
    clock?: Clock;
    beforeStart?: (slack: FakeSlackServer, model: FakeOpenAiServer) => void;
    logger?: Logger;
    slackRecheckMs?: number;
    modelProfile?: ModelServerProfile;
  } = {},
): Promise<BotHarness> {
  const directory = makeTempDirectory("baton-bot-");
  const databasePath = join(directory.path, "baton.db");
  const slack = await startFakeSlackServer();
  const model = await startFakeOpenAiServer({ profile: options.modelProfile ?? "openai" });
  model.setFallback(answerBySystemPrompt({ plan: PLAN_ANSWER, verdict: { healthy: true, note: "all probes green" } }));
  options.beforeStart?.(slack, model);
  const environment: Record<string, string> = {
    OPENAI_API_KEY: "test-key",
    OPENAI_BASE_URL: `${model.url}/v1`,
    BATON_MODEL_MAX_RETRIES: "0",
    BATON_DB: databasePath,
    BATON_CHAINS_DIR: join(import.meta.dirname, "..", "fixtures", "slack-chains"),
    SLACK_BOT_TOKEN: "xoxb-test-token",
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slack.apiUrl,
    PORT: "0",
    BATON_APPROVERS: APPROVER,
    ...options.environment,
  };
  // The harness's approver exists in the fake workspace, as in a correctly set-up one.
  slack.setUser(APPROVER);
  // The start-up checks finish before a test acts, so their calls and log lines never interleave with it.
  const boot = async (): Promise<RunningBot> => {
    const started = await startBotProcess();
    await started.startupChecks;
    return started;
  };
  const startBotProcess = (): Promise<RunningBot> =>
    startBot({
      config: parseConfig(environment),
      botConfig: parseBotConfig(environment),
      logger: options.logger ?? silentLogger,
      ...(options.clock ? { clock: options.clock } : {}),
      backgroundRetry: { retries: 3, factor: 1, minTimeout: 20, maxTimeout: 50 },
      projectionRetryBaseMs: 50,
      ...(options.slackRecheckMs === undefined ? {} : { slackRecheckMs: options.slackRecheckMs }),
    });
  let bot = await boot();
  const harness: BotHarness = {
    slack,
    model,
    get bot() {
      return bot;
    },
    get eventsUrl() {
      return `http://127.0.0.1:${String(bot.port)}/slack/events`;
    },
    databasePath,
    responseUrl: (name) => `${slack.url}/response/${name}`,
    post: (post) => postToSlackEndpoint(harness.eventsUrl, post),
    async clickCard(fields) {
      // A person clicks a card once it is there.
      const deadline = Date.now() + 5_000;
      let card = await bot.runtime.ledger.getMessage(approvalKey(fields.approvalId));
      while (!card?.ts && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 10));
        card = await bot.runtime.ledger.getMessage(approvalKey(fields.approvalId));
      }
      if (!card?.ts) throw new Error(`approval ${fields.approvalId} has no card in Slack after 5 s`);
      const click = buttonClick(
        {
          actionId: fields.actionId,
          value: fields.approvalId,
          userId: fields.userId,
          channelId: card.channel,
          messageTs: card.ts,
          responseUrl: `${slack.url}/response/${fields.responseName ?? "click"}`,
          ...(fields.triggerId ? { triggerId: fields.triggerId } : {}),
        },
        SIGNING_SECRET,
      );
      return postToSlackEndpoint(harness.eventsUrl, click);
    },
    async restart() {
      await bot.stop();
      bot = await boot();
    },
    async close() {
      await bot.stop();
      await Promise.all([slack.close(), model.close()]);
      directory.remove();
    },
  };
  return harness;
}
