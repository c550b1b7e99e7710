import type { RequestListener } from "node:http";
import { App, HTTPReceiver, SocketModeReceiver } from "@slack/bolt";
import type { BotConfig } from "../bot-config.js";
import type { ChainRegistry } from "../core/chain-registry.js";
import { BatonError, describeError } from "../core/errors.js";
import type { ChainStore, Clock, Logger, MessageLedger, RunRecord } from "../core/ports.js";
import type { Runner } from "../core/runner.js";
import { registerAppHome } from "./app-home.js";
import { registerApprovalActions } from "./approval-actions.js";
import { registerRetryActions } from "./retry-actions.js";
import { ApproverDirectory } from "./approver-directory.js";
import { registerCommands } from "./command-handlers.js";
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
      this.app = new App({ ...common, receiver });
      this.requestListener = undefined;
      this.connection = new SocketModeConnection(receiver.client);
    } else {
      const receiver = new HTTPReceiver({ signingSecret: config.slackSigningSecret ?? "", endpoints: SLACK_EVENTS_PATH, logger: slackLogger(logger) });
      this.app = new App({ ...common, receiver });
      this.requestListener = receiver.requestListener;
      this.connection = new WebApiConnection({
        check: () => this.app.client.auth.test(),
        clock: options.clock,
        ...(options.connectionRecheckMs === undefined ? {} : { recheckMs: options.connectionRecheckMs }),
      });
    }
    this.client = createBackgroundClient({ token: config.slackBotToken, apiUrl: config.slackApiUrl, logger, ...(options.backgroundRetry ? { backgroundRetry: options.backgroundRetry } : {}) });
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
      projection: this.projection,
      directory: new ApproverDirectory({ client: this.client, clock: options.clock, logger }),
      clock: options.clock,
      logger,
      scripted: options.scripted,
      reviews: options.reviews,
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
    try {
      await this.app.init();
      if (this.connection instanceof WebApiConnection) this.connection.markGood();
    } catch (error) {
      throw new BatonError(
        "CONFIG_INVALID",
        `Slack refused SLACK_BOT_TOKEN (${slackErrorCode(error) ?? describeError(error)}). Copy the Bot User OAuth Token again from your app's OAuth & Permissions page, and reinstall the app if its scopes changed.`,
        { variable: "SLACK_BOT_TOKEN" },
        { cause: error },
      );
    }
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
    if (!user) return;
    const hint = reason === "not_in_channel" || reason === "channel_not_found" ? ` Invite baton to <#${channel}> (\`/invite @baton\`) and its card appears there.` : "";
    const text = `I could not post run \`${run.id}\` in <#${channel}> (${reason}).${hint} The run goes on regardless: \`/baton status ${run.id}\` shows it.`;
    await this.client.chat.postMessage({ channel: user, text }).catch((error: unknown) => {
      this.#options.logger.warn({ runId: run.id, error: describeError(error) }, "could not tell the starter that their run's channel refuses messages");
    });
  }
}
