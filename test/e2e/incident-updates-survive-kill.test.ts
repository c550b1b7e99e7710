import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openSqliteState, type SqliteState } from "../../src/store/index.js";
import { pollUntil, startBotChild, type BotChild } from "../support/bot-child.js";
import { startFakeSlackServer, type FakeSlackServer, type RecordedSlackCall } from "../support/fake-slack-server.js";
import { makeTempDirectory } from "../support/temp-directory.js";

/**
 * Thread updates come from the database: a later alert and the resolution of an incident are
 * accepted (202) and the bot (`npm start`, a real process) is SIGKILLed at once, inside the
 * 2 s window in which they wait to be folded into one reply. The next process posts them in the
 * run's thread, once; the one after that posts nothing more.
 */

const TOKEN = "updates-kill-token-0123456789";
const directory = makeTempDirectory("baton-updates-kill-");
const database = join(directory.path, "baton.db");
let slack: FakeSlackServer;
let state: SqliteState;
const bots: BotChild[] = [];

beforeAll(async () => {
  slack = await startFakeSlackServer();
  state = openSqliteState(database);
});
afterAll(async () => {
  for (const bot of bots) await bot.kill();
  state.close();
  await slack.close();
  directory.remove();
});

async function startBot(): Promise<BotChild> {
  const bot = await startBotChild({
    BATON_DB: database,
    BATON_MODEL: "scripted",
    SLACK_BOT_TOKEN: "xoxb-updates",
    SLACK_SIGNING_SECRET: "0123456789abcdef0123",
    SLACK_API_URL: slack.apiUrl,
    BATON_WEBHOOK_TOKEN: TOKEN,
    BATON_SLACK_CHANNEL: "C0OPS",
  });
  bots.push(bot);
  return bot;
}

/** An Alertmanager delivery (payload version 4) of one group with these alerts. */
function delivery(alerts: Array<[string, "firing" | "resolved"]>): string {
  const labels = { alertname: "DiskFull", service: "postgres" };
  return JSON.stringify({
    receiver: "baton",
    status: alerts.every(([, status]) => status === "resolved") ? "resolved" : "firing",
    alerts: alerts.map(([instance, status]) => ({
      status,
      labels: { ...labels, severity: "critical", instance },
      annotations: { summary: `disk 95% on ${instance}` },
      startsAt: "2026-12-06T05:00:00Z",
      endsAt: status === "resolved" ? "2026-12-06T05:30:00Z" : "0001-01-01T00:00:00Z",
      generatorURL: "http://prometheus.example/graph",
      fingerprint: instance,
    })),
    groupLabels: labels,
    commonLabels: labels,
    commonAnnotations: {},
    externalURL: "http://alertmanager.example",
    version: "4",
    groupKey: '{}:{alertname="DiskFull", service="postgres"}',
    truncatedAlerts: 0,
  });
}

async function accept(bot: BotChild, body: string): Promise<void> {
  const response = await fetch(`http://127.0.0.1:${String(bot.port)}/webhooks/alertmanager`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${TOKEN}` },
    body,
  });
  expect(response.status).toBe(202);
}

describe("incident updates accepted right before a SIGKILL", () => {
  it("are posted in the run's thread by the next process, once", async () => {
    const first = await startBot();
    await accept(first, delivery([["db-1", "firing"]]));
    const card = await pollUntil(
      async () => {
        const [incident] = await state.alerts.listIncidents({ limit: 1 });
        return incident?.runId ? state.ledger.getMessage(`card:${incident.runId}`) : undefined;
      },
      (message) => message?.ts !== null && message !== undefined,
    );
    expect(card?.ts).toBeTruthy();
    await accept(first, delivery([["db-2", "firing"]]));
    await accept(
      first,
      delivery([
        ["db-1", "resolved"],
        ["db-2", "resolved"],
      ]),
    );
    await first.kill();
    expect(await state.alerts.listIncidentsOwedUpdates(10)).toHaveLength(1);

    const replies = (): RecordedSlackCall[] =>
      slack
        .callsOf("chat.postMessage")
        .filter((call) => call.args["thread_ts"] === card?.ts && /more alert|The incident resolved\* at/.test(String(call.args["text"])));
    const second = await startBot();
    await slack.waitFor(() => replies().some((call) => String(call.args["text"]).includes("The incident resolved")), 15_000);
    await pollUntil(
      () => state.alerts.listIncidentsOwedUpdates(10),
      (owed) => owed.length === 0,
    );
    await second.stop();
    await (await startBot()).stop();

    const texts = replies().map((call) => String(call.args["text"]));
    expect(texts.filter((text) => text.includes("1 more alert in this incident"))).toHaveLength(1);
    expect(texts.filter((text) => text.includes("db-2"))).toHaveLength(1);
    expect(texts.filter((text) => text.includes("The incident resolved"))).toHaveLength(1);
  }, 60_000);
});
