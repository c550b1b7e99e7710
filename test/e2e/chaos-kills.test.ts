import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openSqliteState, type SqliteState } from "../../src/store/index.js";
import { approvalCardOf } from "../support/approval-card.js";
import { pollUntil, startBotChild, type BotChild } from "../support/bot-child.js";
import { startFakeSlackServer, type FakeSlackServer, type RecordedSlackCall } from "../support/fake-slack-server.js";
import { buttonClick, postToSlackEndpoint, slashCommand } from "../support/slack-requests.js";
import { makeTempDirectory } from "../support/temp-directory.js";

/**
 * Chaos, bounded: Alertmanager deliveries stream into the bot (`npm start`, a real process)
 * across a few alert groups while it is SIGKILLed three times — each time the moment a `/baton
 * run` and an Approve click got their 200 — and once more right after a resolution's 202. Then
 * a last process finishes what is owed. Nothing acknowledged may be lost or done twice: every
 * accepted delivery is stored, one incident and one run per group, one card per run, every later
 * alert and the resolution posted in the thread once, every acknowledged command a run and every
 * acknowledged click a decision.
 */

const SECRET = "0a1b2c3d4e5f60718293a4b5c6d7e8f9";
const TOKEN = "chaos-webhook-token-0123456789";
const APPROVER = "U0APPROVER";
const GROUPS = 4;
const KILLS = 3;
const DELIVERIES_PER_ROUND = 24;
const directory = makeTempDirectory("baton-chaos-");
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
    SLACK_BOT_TOKEN: "xoxb-chaos",
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_API_URL: slack.apiUrl,
    BATON_WEBHOOK_TOKEN: TOKEN,
    BATON_SLACK_CHANNEL: "C0CHAOS",
    BATON_APPROVERS: APPROVER,
  });
  bots.push(bot);
  return bot;
}

/** An Alertmanager webhook (payload version 4) for `group`, carrying `alerts` (fingerprint → status). */
function delivery(group: number, alerts: Array<[string, "firing" | "resolved"]>): string {
  const alertname = `ChaosAlert${String(group)}`;
  const service = `service-${String(group)}`;
  const groupStatus = alerts.every(([, status]) => status === "resolved") ? "resolved" : "firing";
  return JSON.stringify({
    receiver: "baton",
    status: groupStatus,
    alerts: alerts.map(([fingerprint, status]) => ({
      status,
      labels: { alertname, service, severity: "critical", instance: fingerprint },
      annotations: { summary: `${alertname} on ${fingerprint}` },
      startsAt: "2026-12-06T05:00:00Z",
      endsAt: status === "resolved" ? "2026-12-06T05:30:00Z" : "0001-01-01T00:00:00Z",
      generatorURL: "http://prometheus.example/graph",
      fingerprint,
    })),
    groupLabels: { alertname, service },
    commonLabels: { alertname, service },
    commonAnnotations: {},
    externalURL: "http://alertmanager.example",
    version: "4",
    groupKey: `{}:{alertname="${alertname}", service="${service}"}`,
    truncatedAlerts: 0,
  });
}

/** POST a delivery; resolves with its delivery id when it was accepted (202), else undefined. */
async function send(bot: BotChild, body: string): Promise<string | undefined> {
  try {
    const response = await fetch(`http://127.0.0.1:${String(bot.port)}/webhooks/alertmanager`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${TOKEN}` },
      body,
    });
    const answer = (await response.json()) as { deliveryId?: string };
    return response.status === 202 ? answer.deliveryId : undefined;
  } catch {
    // The process was killed with this request in flight: not accepted.
    return undefined;
  }
}

const textOf = (call: RecordedSlackCall): string => String(call.args["text"] ?? "");
const posts = (): RecordedSlackCall[] => slack.callsOf("chat.postMessage");

describe("alerts, commands and clicks across SIGKILLs", () => {
  it("lose nothing that was acknowledged, and do nothing twice", async () => {
    const accepted: string[] = [];
    const fingerprints = new Map<number, string[]>();
    const commands: string[] = [];
    const clicked: string[] = [];

    for (let round = 0; round < KILLS; round += 1) {
      const bot = await startBot();
      const inFlight: Array<Promise<void>> = [];
      const killAt = 8 + ((round * 5) % 12);
      for (let index = 0; index < DELIVERIES_PER_ROUND; index += 1) {
        const group = index % GROUPS;
        const fingerprint = `g${String(group)}-r${String(round)}-${String(index)}`;
        fingerprints.set(group, [...(fingerprints.get(group) ?? []), fingerprint]);
        inFlight.push(send(bot, delivery(group, [[fingerprint, "firing"]])).then((id) => void (id && accepted.push(id))));
        await new Promise((resolve) => setTimeout(resolve, 5));
        if (index !== killAt) continue;
        // A command and a click, each acknowledged, then SIGKILL with deliveries in flight.
        const text = `run solution-brief Acme needs a plan for moving billing to a queue (round ${String(round)})`;
        const command = await postToSlackEndpoint(
          `http://127.0.0.1:${String(bot.port)}/slack/events`,
          slashCommand({ text, userId: "U0ALICE", responseUrl: `${slack.url}/response/command-${String(round)}` }, SECRET),
        );
        expect(command.status).toBe(200);
        commands.push(text);
        const [pending] = (await state.store.listApprovals({ statuses: ["pending"], limit: 50 })).filter((approval) => approval.chainId === "solution-brief");
        if (pending) {
          const click = await postToSlackEndpoint(
            `http://127.0.0.1:${String(bot.port)}/slack/events`,
            buttonClick(
              {
                actionId: "baton.approve",
                value: pending.id,
                userId: APPROVER,
                ...(await approvalCardOf(state.ledger, pending.id)),
                responseUrl: `${slack.url}/response/click-${String(round)}`,
              },
              SECRET,
            ),
          );
          expect(click.status).toBe(200);
          clicked.push(pending.id);
        }
        await bot.kill();
        break;
      }
      await Promise.all(inFlight);
    }

    // Resolve two groups; the process dies right after the last resolution's 202.
    const resolving = await startBot();
    const resolvedGroups = [0, 1];
    for (const group of resolvedGroups) {
      const id = await send(
        resolving,
        delivery(
          group,
          (fingerprints.get(group) ?? []).map((fingerprint) => [fingerprint, "resolved"]),
        ),
      );
      expect(id).toBeDefined();
      if (id) accepted.push(id);
    }
    await resolving.kill();

    // The last process finishes what is owed.
    const last = await startBot();
    const settled = await pollUntil(
      async () => {
        const incidents = await state.alerts.listIncidents({ limit: 100 });
        const owed = await state.alerts.listIncidentsOwedUpdates(100);
        const runs = await state.store.listRuns({ limit: 100 });
        const cards = await Promise.all(runs.map((run) => state.ledger.getMessage(`card:${run.id}`)));
        return { incidents, owed, cardsPosted: cards.every((card) => card?.ts) };
      },
      (snapshot) => snapshot.owed.length === 0 && snapshot.cardsPosted && snapshot.incidents.every((incident) => incident.runId !== null),
      60_000,
    );
    expect(settled.owed).toEqual([]);
    await last.stop();

    // Every accepted delivery is stored.
    const reader = new Database(database, { readonly: true, fileMustExist: true });
    const stored = new Set(
      reader
        .prepare<[], { id: string }>("SELECT id FROM deliveries")
        .all()
        .map((row) => row.id),
    );
    reader.close();
    expect(accepted.length).toBeGreaterThan(KILLS * 8);
    expect(accepted.filter((id) => !stored.has(id))).toEqual([]);

    // One incident per group, one run per incident.
    const incidents = await state.alerts.listIncidents({ limit: 100 });
    expect(incidents).toHaveLength(GROUPS);
    expect(incidents.filter((incident) => incident.status === "resolved")).toHaveLength(resolvedGroups.length);
    const incidentRuns = await state.store.listRuns({ chainId: "incident-response", limit: 100 });
    expect(incidentRuns).toHaveLength(GROUPS);
    expect(new Set(incidents.map((incident) => incident.runId)).size).toBe(GROUPS);

    // One card per run, whatever process posted it.
    const runs = await state.store.listRuns({ limit: 100 });
    for (const run of runs) expect(posts().filter((call) => call.args["thread_ts"] === undefined && textOf(call).includes(`(${run.id})`))).toHaveLength(1);

    // Every later alert and every resolution in its run's thread, once.
    for (const incident of incidents) {
      const card = await state.ledger.getMessage(`card:${incident.runId ?? ""}`);
      const replies = posts().filter((call) => call.args["thread_ts"] === card?.ts);
      const announced = replies
        .map((call) => Number(/:rotating_light: (\d+) more alerts? in this incident/.exec(textOf(call))?.[1] ?? 0))
        .reduce((sum, count) => sum + count, 0);
      expect({ incident: incident.id, announced }).toEqual({ incident: incident.id, announced: incident.alertCount - 1 });
      expect(replies.filter((call) => textOf(call).includes(":large_green_circle: *The incident resolved* at"))).toHaveLength(
        incident.status === "resolved" ? 1 : 0,
      );
    }

    // Every acknowledged command is a run; every acknowledged click a decision.
    expect(await state.store.listRuns({ chainId: "solution-brief", limit: 100 })).toHaveLength(commands.length);
    expect(clicked.length).toBeGreaterThan(0);
    for (const approvalId of clicked) expect((await state.store.getApproval(approvalId))?.status).toBe("approved");
  }, 120_000);
});
