import type { BotConfig } from "../bot-config.js";
import type { Config } from "../config.js";
import { describeError } from "../core/errors.js";
import type { Clock, Logger } from "../core/ports.js";
import { healthRoute, startHttpServer, type Route } from "../http/http-server.js";
import { ApprovalDeadlines } from "../jobs/approval-deadlines.js";
import { StepRetries } from "../jobs/step-retries.js";
import { ChainSchedules } from "../jobs/chain-schedules.js";
import { RetentionJob } from "../jobs/retention-job.js";
import { SLACK_EVENTS_PATH, SlackBot } from "../slack/slack-bot.js";
import { SlackNotifier } from "../slack/slack-notifier.js";
import { SlackIncidentUpdates } from "../slack/incident-updates.js";
import { SlackReminderSink } from "../slack/slack-reminders.js";
import { BatonMetrics } from "../metrics/baton-metrics.js";
import { DriftMetrics } from "../metrics/drift-metrics.js";
import { metricsRoute, readinessRoute } from "../metrics/ops-routes.js";
import { readDocument } from "../documents/read-document.js";
import { createReviewRoutes } from "../webhooks/review-routes.js";
import { createWebhookRoutes } from "../webhooks/webhook-routes.js";
import { IncidentRuns } from "../use-cases/incident-runs.js";
import type { RetryPolicy } from "../slack/slack-web-client.js";
import { createRuntime, type Runtime } from "./compose.js";
import type { CheckResult } from "../doctor/check-result.js";
import { checkDeployment, logFailedChecks } from "../doctor/run-doctor.js";
import { DeferredNotifier } from "./deferred-notifier.js";
import { assertWebhooksHaveChannels, incidentRunDestination, missingDestinationFix, reviewRunDestination } from "./run-destinations.js";

/**
 * The bot's composition: runtime (store, runner, chains, model), the Slack app, the HTTP server
 * (Slack in HTTP mode, health), the deadline and schedule jobs, and recovery of runs a previous
 * process left behind. `src/main.ts` calls it with the environment's configuration; integration
 * tests call it with fake servers' URLs.
 */

export interface StartBotOptions {
  config: Config;
  botConfig: BotConfig;
  logger: Logger;
  clock?: Clock;
  /** Tests: fast Slack retries. */
  backgroundRetry?: RetryPolicy;
  projectionRetryBaseMs?: number;
  /** How often runs abandoned by other processes are looked for. Default a sixth of the lease (BATON_LEASE_SECONDS). */
  recoverEveryMs?: number;
  /** HTTP mode: how long `/readyz` trusts a good Slack Web API check. Default 30 s. */
  slackRecheckMs?: number;
  /** How often waiting runs' next tries are looked for (node-cron). Default every 5 s. */
  retryCheckCron?: string;
}

export interface RunningBot {
  port: number;
  scripted: boolean;
  chainIds: string[];
  runtime: Runtime;
  slack: SlackBot;
  deadlines: ApprovalDeadlines;
  /** The timer of runs waiting out an outage (tests tick it with their clock). */
  stepRetries: StepRetries;
  /** Undefined when BATON_RETENTION=off. */
  retention: RetentionJob | undefined;
  /** `baton doctor`'s checks (no model call), run once after start-up; each ✗ is logged at warn. */
  startupChecks: Promise<CheckResult[]>;
  stop(): Promise<void>;
}

export async function startBot(options: StartBotOptions): Promise<RunningBot> {
  const { config, botConfig, logger } = options;
  const notifier = new DeferredNotifier();
  const runtime = await createRuntime(config, {
    mode: "bot",
    notifier,
    logger,
    defaultApprovers: botConfig.defaultApprovers,
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const { store, ledger, chains, runner, clock } = runtime;
  const stops: Array<() => Promise<void> | void> = [];
  let ready = false;
  try {
    // An enabled webhook whose runs could show their approval nowhere stops start-up.
    assertWebhooksHaveChannels(botConfig, chains, config.reviewChain);
    const slack = new SlackBot({
      config: botConfig,
      runner,
      store,
      chains,
      ledger,
      intents: runtime.intents,
      clock,
      logger,
      scripted: runtime.scripted,
      reviews: runtime.reviews,
      rfp: { chainId: botConfig.rfpChain, maxBytes: botConfig.documentMaxBytes, readDocument },
      ...(options.backgroundRetry ? { backgroundRetry: options.backgroundRetry } : {}),
      ...(options.projectionRetryBaseMs === undefined ? {} : { projectionRetryBaseMs: options.projectionRetryBaseMs }),
      ...(options.slackRecheckMs === undefined ? {} : { connectionRecheckMs: options.slackRecheckMs }),
    });
    notifier.bind(
      new SlackNotifier(slack.projection, async (runId) => {
        const run = await store.getRun(runId);
        return run ? slack.projection.channelOf(run) : undefined;
      }),
    );
    const incidents = new IncidentRuns({
      alerts: runtime.alerts,
      runner,
      runs: store,
      chains,
      clock,
      logger,
      chainId: botConfig.incidentChain,
      incidentChannel: botConfig.incidentChannel,
      runChannel: incidentRunChannel(botConfig, chains),
      oncall: botConfig.oncall,
      updates: new SlackIncidentUpdates(slack.projection, () => clock.now()),
    });
    // Metrics follow the runner from here on; runs in flight are counted from the store first.
    const metrics = new BatonMetrics();
    stops.push(metrics.attach(runner.events));
    stops.push(new DriftMetrics(metrics.registry, (runId) => store.listEvents(runId)).attach(runner.events));
    const running = await store.listRuns({ statuses: ["running"], limit: 100_000 });
    const waiting = await store.listRuns({ statuses: ["awaiting_approval"], limit: 100_000 });
    metrics.setRunCounts({ running: running.length, awaiting_approval: waiting.length });
    metrics.countWaitingRunsFrom(() => store.listRetries(100_000));
    if (runtime.tracing) {
      runtime.tracing.linkThreads((runId) => slack.projection.threadOf(runId));
      stops.push(runtime.tracing.traceSlackCalls(botConfig.slackApiUrl ?? "https://slack.com/api/"));
    }
    let slackStarted = false;
    const routes: Route[] = [
      healthRoute(() => ready),
      metricsRoute(metrics),
      readinessRoute({
        // A write that changes nothing still needs the write lock: a read-only or full disk fails it.
        databaseWritable: async () => {
          await ledger.releaseClaim("readiness-probe");
          return true;
        },
        slackConnected: () => slackStarted && slack.connection.isConnected(),
      }),
      ...createReviewRoutes({
        reviews: runtime.reviews,
        ledger,
        clock,
        logger,
        githubSecrets: botConfig.githubWebhookSecrets,
        webhookToken: botConfig.webhookToken,
        planRunsUnseen: planRunsUnseen(botConfig, runtime.chains, runtime.config.reviewChain),
      }),
      ...createWebhookRoutes({
        store: runtime.alerts,
        webhookToken: botConfig.webhookToken,
        pagerDutySecrets: botConfig.pagerDutySecrets,
        logger,
        clock,
        onChanges: (outcome, source) => incidents.onChanges(outcome, source),
        onDelivery: (source, outcome, status) => metrics.recordDelivery(source, outcome, status),
      }),
    ];
    if (slack.requestListener) routes.push({ method: "POST", path: SLACK_EVENTS_PATH, handle: slack.requestListener });
    const http = await startHttpServer({ port: botConfig.port, routes, logger });
    stops.push(() => http.close());
    stops.push(() => incidents.flush());
    await slack.start();
    slackStarted = true;
    stops.push(() => slack.stop());

    const deadlines = new ApprovalDeadlines({
      store,
      runner,
      chains,
      ledger,
      clock,
      sink: new SlackReminderSink(slack.projection, chains),
      logger,
      defaults: { reminderEveryMs: botConfig.reminderEveryMs, escalateAfterMs: botConfig.escalateAfterMs, escalateTo: botConfig.escalateTo },
    });
    stops.push(deadlines.start(botConfig.deadlineCheckCron));
    // Runs waiting out an outage: their next tries are in the store; this timer takes them up.
    const stepRetries = new StepRetries({ runner, logger });
    stops.push(stepRetries.start(options.retryCheckCron));
    stops.push(new ChainSchedules({ runner, chains, ledger, clock, logger }).start());
    const retention =
      botConfig.retentionMs === undefined ? undefined : new RetentionJob({ store: runtime.retention, clock, logger, olderThanMs: botConfig.retentionMs });
    if (retention) stops.push(retention.start(botConfig.retentionCron));

    // Runs a previous process left mid-step continue here; then keep looking, for runs of
    // another replica that died.
    const recover = (): void => {
      runner.recover().then(
        (recovered) => recovered.length > 0 && logger.info({ runs: recovered }, "recovered runs left behind"),
        (error: unknown) => logger.warn({ error: describeError(error) }, "could not look for abandoned runs"),
      );
    };
    await runner.recover();
    // Alerts accepted (202) by a process that died before starting their run.
    const started = await incidents.startMissing();
    if (started.length > 0) logger.info({ runs: started }, "started incident runs for alerts accepted before a restart");
    // Thread updates accepted before a restart and not posted yet.
    const owed = await incidents.postOwed();
    if (owed.length > 0) logger.info({ incidents: owed }, "posting incident updates accepted before a restart");
    // Changes other replicas make (PostgreSQL): refresh what this one shows, take over what it is
    // handed, post what it is owed, without waiting for the timers below.
    stops.push(
      runtime.changes.subscribe((change) => {
        if (change.kind === "run") slack.projection.request(change.runId);
        if (change.kind === "runs-released" || change.kind === "resync") recover();
        if (change.kind === "incident-updates" || change.kind === "resync") {
          incidents.postOwed().catch((error: unknown) => logger.warn({ error: describeError(error) }, "could not post owed incident updates"));
        }
      }),
    );
    // A sixth of the lease: a replica on another host that dies is noticed when its lease runs
    // out (at most one lease after its last renewal), and its runs are taken up at the next look.
    const recoverTimer = setInterval(recover, options.recoverEveryMs ?? Math.max(1_000, Math.floor(config.leaseMs / 6)));
    recoverTimer.unref();
    stops.push(() => clearInterval(recoverTimer));
    ready = true;
    // Without spending tokens, and without holding up start-up: a ✗ is a warning, not a stop.
    const startupChecks = checkDeployment({ config, botConfig, chains, logger }, { structuredCall: false, schemas: false }).then(
      (results) => {
        logFailedChecks(results, logger);
        return results;
      },
      (error: unknown) => {
        logger.warn({ error: describeError(error) }, "could not run the start-up checks; run baton doctor");
        return [];
      },
    );
    return {
      port: http.port,
      scripted: runtime.scripted,
      chainIds: chains.ids(),
      runtime,
      slack,
      deadlines,
      stepRetries,
      retention,
      startupChecks,
      async stop() {
        ready = false;
        for (const stop of stops.reverse()) await stop();
        await runtime.close();
      },
    };
  } catch (error) {
    for (const stop of stops.reverse()) await Promise.resolve(stop()).catch(() => undefined);
    await runtime.close();
    throw error;
  }
}

/** BATON_INCIDENT_CHANNEL when it is where incident runs show (nothing else names a channel). */
function incidentRunChannel(botConfig: BotConfig, chains: Runtime["chains"]): string | undefined {
  const chain = chains.has(botConfig.incidentChain) ? chains.get(botConfig.incidentChain) : undefined;
  const destination = incidentRunDestination(botConfig, chain);
  return destination?.source === "BATON_INCIDENT_CHANNEL" ? destination.channel : undefined;
}

/**
 * Why a plan's review run would be seen by nobody (no channel for the review chain's runs), or
 * undefined when it has one: the terraform-plan webhook shares BATON_WEBHOOK_TOKEN with the alert
 * webhooks, so this refuses its deliveries rather than stopping start-up.
 */
function planRunsUnseen(botConfig: BotConfig, chains: Runtime["chains"], reviewChain: string): string | undefined {
  if (!chains.has(reviewChain)) return undefined;
  return reviewRunDestination(botConfig, chains.get(reviewChain)) === undefined ? missingDestinationFix("review", reviewChain) : undefined;
}
