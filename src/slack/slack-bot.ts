import type { RequestListener } from "node:http";
import { App, HTTPReceiver, SocketModeReceiver } from "@slack/bolt";
import type { BotConfig } from "../bot-config.js";
import type { ChainRegistry } from "../core/chain-registry.js";
import { BatonError, describeError } from "../core/errors.js";
import type { ChainStore, Clock, CommandIntentStore, Logger, MessageLedger, RunRecord } from "../core/ports.js";
import type { Runner } from "../core/runner.js";
import { registerAppHome } from "./app-home.js";
import { registerApprovalActions } from "./approval-actions.js";
import { registerRetryActions } from "./retry-actions.js";
import { ApproverDirectory } from "./approver-directory.js";
import { registerCommands } from "./command-handlers.js";
import { channelLink, escapeMrkdwn, md } from "./render/mrkdwn.js";
import { isHandledSlackRequest } from "./handled-requests.js";
import { guardSlackRequests } from "./request-guard.js";
import { guardSocketModeEnvelopes } from "./socket-mode-guard.js";
import { resumeIntents } from "./command-intents.js";
import { RunProjection } from "./run-projection.js";
import { SocketModeConnection, WebApiConnection, type SlackConnection } from "./slack-connection.js";
import { registerRfpForm } from "./rfp-form.js";
import { registerRunForm } from "./run-form.js";
import type { SlackServices } from "./slack-services.js";
import { createBackgroundClient, INTERACTIVE_CLIENT_OPTIONS, slackErrorCode, slackLogger, type RetryPolicy, type SlackClient } from "./slack-web-client.js";

/**
 * The Slack side of baton: the Bolt app (Socket Mode when an app-level token is configured, the
 * HTTP receiver otherwise), the `/baton` command, the approval buttons and modals, App Home, and
 * the run projection that keeps every run's cards in step with the store.
 *
 * In HTTP mode the receiver does not own a server: `requestListener` handles `POST
 * /slack/events` on the process's one HTTP server, which also serves webhooks and health.
 */

export interface SlackBotOptions {
  config: BotConfig;
  runner: Runner;
  store: ChainStore;
  chains: ChainRegistry;
  ledger: MessageLedger;
  intents: CommandIntentStore;
  clock: Clock;
  logger: Logger;
  scripted: boolean;
  /** Tests: a fast retry policy for background posts, and the projection's first retry delay. */
  backgroundRetry?: RetryPolicy;
  projectionRetryBaseMs?: number;
  /** `/baton rfp`: the chain, the size limit, and how a shared file is read. */
  rfp: Omit<SlackServices["rfp"], "botToken">;
  /** `/baton review`: pull requests into IaC review runs. */
  reviews: SlackServices["reviews"];
  /** HTTP mode: how long a good Web API check is trusted by `/readyz`. Default 30 s. */
  connectionRecheckMs?: number;
  /** Waits between start-up attempts to reach Slack. Default 0.5, 1 and 2 s. */
  startupRetryDelaysMs?: ReadonlyArray<number>;
}

export const SLACK_EVENTS_PATH = "/slack/events";

export class SlackBot {
  readonly app: App;
  readonly projection: RunProjection;
  readonly services: SlackServices;
  /** The background client (cards, replies, reminders). */
  readonly client: SlackClient;
  /** HTTP mode: handles `POST /slack/events`. Undefined in Socket Mode. */
  readonly requestListener: RequestListener | undefined;
  /** Whether Slack is reachable now (for `/readyz`). */
  readonly connection: SlackConnection;
  readonly #options: SlackBotOptions;
  readonly #unsubscribe: Array<() => void> = [];

  constructor(options: SlackBotOptions) {
    this.#options = options;
    const { config, logger } = options;
    const clientOptions = { ...(config.slackApiUrl === undefined ? {} : { slackApiUrl: config.slackApiUrl }), ...INTERACTIVE_CLIENT_OPTIONS };
    const common = { token: config.slackBotToken, logger: slackLogger(logger), clientOptions, deferInitialization: true, extendedErrorHandler: false } as const;
    if (config.slackAppToken !== undefined) {
      // Built here rather than by Bolt (socketMode: true) to watch the socket's state.
      const receiver = new SocketModeReceiver({ appToken: config.slackAppToken, logger: slackLogger(logger), installerOptions: { clientOptions } });
      guardSocketModeEnvelopes(receiver.client, { isHandled: isHandledSlackRequest, logger });
      this.app = new App({ ...common, receiver });
      this.requestListener = undefined;
      this.connection = new SocketModeConnection(receiver.client);
    } else {
      const receiver = new HTTPReceiver({ signingSecret: config.slackSigningSecret ?? "", endpoints: SLACK_EVENTS_PATH, logger: slackLogger(logger) });
      this.app = new App({ ...common, receiver });
      this.requestListener = guardSlackRequests(receiver.requestListener, {
        signingSecret: config.slackSigningSecret ?? "",
        isHandled: isHandledSlackRequest,
        logger,
      });
      this.connection = new WebApiConnection({
        check: () => this.app.client.auth.test(),
        clock: options.clock,
        ...(options.connectionRecheckMs === undefined ? {} : { recheckMs: options.connectionRecheckMs }),
      });
    }
    this.client = createBackgroundClient({
      token: config.slackBotToken,
      apiUrl: config.slackApiUrl,
      logger,
      ...(options.backgroundRetry ? { backgroundRetry: options.backgroundRetry } : {}),
    });
    this.projection = new RunProjection({
      store: options.store,
      ledger: options.ledger,
      chains: options.chains,
      client: this.client,
      clock: options.clock,
      logger,
      scripted: options.scripted,
      defaultChannel: config.defaultChannel,
      onUndeliverable: (run, channel, reason) => void this.#tellStarter(run, channel, reason),
      ...(options.projectionRetryBaseMs === undefined ? {} : { retryBaseMs: options.projectionRetryBaseMs }),
    });
    this.services = {
      runner: options.runner,
      store: options.store,
      chains: options.chains,
      ledger: options.ledger,
      intents: options.intents,
      projection: this.projection,
      directory: new ApproverDirectory({ client: this.client, clock: options.clock, logger }),
      clock: options.clock,
      logger,
      scripted: options.scripted,
      reviews: options.reviews,
      formKey: config.slackSigningSecret ?? config.slackBotToken,
      rfp: { ...options.rfp, botToken: config.slackBotToken },
    };
    registerCommands(this.app, this.services);
    registerApprovalActions(this.app, this.services);
    registerRetryActions(this.app, this.services);
    registerRunForm(this.app, this.services);
    registerRfpForm(this.app, this.services);
    registerAppHome(this.app, this.services);
    this.app.error(async (error) => {
      logger.error({ error: describeError(error) }, "a Slack listener failed");
    });
  }

  /**
   * Check the token (auth.test), follow the runner, connect (Socket Mode), and bring the cards of
   * runs that changed while baton was down up to date.
   */
  async start(): Promise<void> {
    await this.#checkToken();
    const { runner } = this.#options;
    const follow = (runId: string): void => this.projection.request(runId);
    this.#unsubscribe.push(
      runner.events.on("run.started", ({ runId }) => follow(runId)),
      runner.events.on("step.started", ({ runId }) => follow(runId)),
      runner.events.on("step.finished", ({ runId }) => follow(runId)),
      runner.events.on("approval.requested", ({ approval }) => follow(approval.runId)),
      runner.events.on("approval.decided", ({ approval }) => follow(approval.runId)),
      runner.events.on("run.finished", ({ runId }) => follow(runId)),
      runner.events.on("run.waiting", ({ runId }) => follow(runId)),
      runner.events.on("run.resumed", ({ runId }) => follow(runId)),
    );
    if (this.requestListener === undefined) await this.app.start();
    await this.resync();
    // Requests acknowledged by a process that stopped before their work was done: do it now,
    // in the background (it reads GitHub or downloads files).
    resumeIntents(this.services, this.client).then(
      (resumed) => resumed.length > 0 && this.#options.logger.info({ intents: resumed }, "finished requests acknowledged before a restart"),
      (error: unknown) => this.#options.logger.warn({ error: describeError(error) }, "could not finish requests acknowledged before a restart"),
    );
  }

  /**
   * auth.test, through Bolt's init. Slack answering "no" is a refused token (exit, with the fix);
   * no answer at all (refused connection, DNS, timeout) is retried a few times, then reported
   * as Slack being unreachable — not as a bad token.
   */
  async #checkToken(): Promise<void> {
    const { config, logger } = this.#options;
    const delays = this.#options.startupRetryDelaysMs ?? [500, 1_000, 2_000];
    for (let attempt = 0; ; attempt += 1) {
      try {
        await this.app.init();
        if (this.connection instanceof WebApiConnection) this.connection.markGood();
        return;
      } catch (error) {
        const code = slackErrorCode(error);
        if (code !== undefined) {
          throw new BatonError(
            "CONFIG_INVALID",
            `Slack refused SLACK_BOT_TOKEN (${code}). Copy the Bot User OAuth Token again from your app's OAuth & Permissions page, and reinstall the app if its scopes changed.`,
            { variable: "SLACK_BOT_TOKEN" },
            { cause: error },
          );
        }
        const delay = delays[attempt];
        const where = config.slackApiUrl ?? "Slack's Web API";
        if (delay === undefined) {
          throw new BatonError(
            "SLACK_REQUEST_FAILED",
            `baton could not reach ${where} to check SLACK_BOT_TOKEN (${describeError(error)}) after ${String(attempt + 1)} tries. Check the network and any proxy${config.slackApiUrl === undefined ? "" : ", and SLACK_API_URL (unset it to use Slack itself)"}, then start baton again.`,
            { variable: "SLACK_API_URL", attempts: attempt + 1 },
            { cause: error },
          );
        }
        logger.warn({ attempt: attempt + 1, retryInMs: delay, error: describeError(error) }, "could not reach Slack at start-up; trying again");
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  /** Sync every run that is still going and the most recent finished ones (idempotent). */
  async resync(): Promise<void> {
    const { store } = this.#options;
    const active = await store.listRuns({ statuses: ["running", "awaiting_approval"], limit: 500 });
    const recent = await store.listRuns({ limit: 100 });
    for (const runId of new Set([...active, ...recent].map((run) => run.id))) this.projection.request(runId);
  }

  async stop(): Promise<void> {
    for (const unsubscribe of this.#unsubscribe.splice(0)) unsubscribe();
    this.projection.close();
    if (this.requestListener === undefined) await this.app.stop().catch(() => undefined);
  }

  /** The run's channel refuses baton's messages: tell whoever started it, in a direct message. */
  async #tellStarter(run: RunRecord, channel: string, reason: string): Promise<void> {
    const user = run.origin?.reference?.["user"];
    // Its approvals cannot be seen where they should be: people must hear of it, not only the starter.
    this.#options.logger.error(
      { runId: run.id, chainId: run.chainId, channel, reason, startedBy: run.startedBy },
      `run ${run.id} cannot be shown in channel ${channel} (${reason}); its approvals are not visible there. Invite baton to the channel or fix the channel id, then run baton doctor.`,
    );
    if (!user) return;
    const where = channelLink(channel);
    const hint =
      reason === "not_in_channel" || reason === "channel_not_found" ? md` Invite baton to ${where} (\`/invite @baton\`) and its card appears there.` : md``;
    const text = md`I could not post run \`${escapeMrkdwn(run.id)}\` in ${where} (${escapeMrkdwn(reason)}).${hint} The run goes on regardless: \`/baton status ${escapeMrkdwn(run.id)}\` shows it.`;
    await this.client.chat.postMessage({ channel: user, text }).catch((error: unknown) => {
      this.#options.logger.warn({ runId: run.id, error: describeError(error) }, "could not tell the starter that their run's channel refuses messages");
    });
  }
}
