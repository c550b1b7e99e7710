import { expect } from "vitest";
import { z } from "zod";
import { defineChain } from "../../src/core/chain-builder.js";
import { ChainRegistry } from "../../src/core/chain-registry.js";
import type { ApprovalRecord, ChainStore, NormalizedAlert } from "../../src/core/ports.js";
import { DEFAULT_PRICES } from "../../src/core/pricing.js";
import { pruneAuditDetail } from "../../src/core/retention.js";
import { Runner } from "../../src/core/runner.js";
import { type RecordPage, type StateSnapshot, COPIED_TABLES } from "../../src/core/state-copy.js";
import { GptTokenCounter } from "../../src/llm/gpt-token-counter.js";
import { OpenAiLlmClient } from "../../src/llm/openai-client.js";
import { openSqliteState } from "../../src/store/open-state.js";
import { TimeOrderedIds } from "../../src/system/ids.js";
import { systemClock } from "../../src/system/system-clock.js";
import { type Harness, silentLogger } from "../support/runner-harness.js";
import type { StatePorts } from "./state-under-test.js";

/**
 * A SQLite deployment worth moving, built through the ports by a real Runner (and the stores for
 * what a runner does not make): runs in every status, approvals decided every way, events in
 * event segments, a waiting retry, a re-run with its lineage, effects, ledger messages, incidents
 * with their outbox, intents, and a run retention pruned. And what a copy is checked with:
 * everything read back through the ports.
 */

const Plan = z.object({ title: z.string().min(3), steps: z.array(z.string()).min(1), risk: z.enum(["low", "medium", "high"]) });
export const proposal = { title: "Restart the checkout pods", steps: ["kubectl rollout restart deploy/checkout"], risk: "medium" };

export const remediate = defineChain({ id: "remediate", description: "test", input: z.object({ alert: z.string() }), approvers: ["U-ONCALL"] })
  .llm("diagnose", { system: "You diagnose.", user: ({ input }) => `Alert: ${input.alert}`, output: z.object({ cause: z.string() }) })
  .llm("plan", { system: "You plan.", user: ({ outputs }) => `Cause: ${outputs.diagnose.cause}`, output: Plan, approval: { title: "Remediation plan" } })
  .action("notify", {
    run: async ({ outputs, run }, services) =>
      services.once(async () => {
        await services.notifier.notify({ runId: run.id, stepId: "notify", idempotencyKey: services.idempotencyKey, title: outputs.plan.title, text: "ok" });
        return { posted: true };
      }),
  })
  .build();

const trusted = { id: "U-ONCALL", trusted: true };
const DAY = 86_400_000;

/** The runner of the tests' chain on any store, talking to the harness's fake model server. */
export function runnerOn(store: ChainStore, harness: Harness, owner: string): Runner {
  return new Runner({
    store,
    llm: new OpenAiLlmClient({ apiKey: "test-key", baseURL: `${harness.server.url}/v1`, maxRetries: 0 }),
    chains: new ChainRegistry([remediate]),
    notifier: harness.notifier,
    clock: systemClock,
    ids: new TimeOrderedIds(),
    logger: silentLogger,
    owner,
    defaultModel: "gpt-4o-mini",
    prices: DEFAULT_PRICES,
    tokens: new GptTokenCounter(),
  });
}

/** Starts a run on `runner` that rests at its approval; `cause` tells runs apart. */
export async function pausedRun(runner: Runner, harness: Harness, store: ChainStore, cause: string): Promise<{ runId: string; approval: ApprovalRecord }> {
  harness.server.enqueue({ kind: "json", value: { cause } }, { kind: "json", value: proposal });
  // A large input is stored compressed by SQLite.
  const { runId } = await runner.start("remediate", { alert: `OOMKilled ${cause} ${"x".repeat(6_000)}` }, { startedBy: "U-STARTER" });
  expect((await runner.settled(runId)).status).toBe("awaiting_approval");
  const [approval] = await store.listApprovals({ runId, statuses: ["pending"], limit: 5 });
  if (approval === undefined) throw new Error("setup: no pending approval");
  return { runId, approval };
}

export function alert(fingerprint: string, status: "firing" | "resolved"): NormalizedAlert {
  return {
    fingerprint,
    name: `Disk ${fingerprint}`,
    status,
    severity: "page",
    service: "db",
    summary: `disk ${fingerprint} is full`,
    description: "x".repeat(600),
    labels: { alertname: "DiskFull", instance: fingerprint },
    annotations: { runbook: "https://runbooks.example/disk" },
    runbookUrl: "https://runbooks.example/disk",
    startsAt: "2025-01-01T00:00:00Z",
    endsAt: null,
    generatorUrl: null,
  };
}

export interface BuiltSource {
  /** The run still waiting for its approval, and that approval. */
  pending: { runId: string; approval: ApprovalRecord };
  /** A run that finished with its events in event segments. */
  approvedRunId: string;
  /** An incident still open, with an owed (unclaimed) update and a claimed one. */
  openIncidentId: string;
}

/** Fills the harness's SQLite file. `now` is the runs' time; one run is from 40 days before and pruned. */
export async function buildSource(harness: Harness): Promise<BuiltSource> {
  const { runner, store } = harness;
  const pending = await pausedRun(runner, harness, store, "pending");

  const approved = await pausedRun(runner, harness, store, "approved");
  await runner.decide(approved.approval.id, { kind: "approve" }, trusted);
  expect((await runner.settled(approved.runId)).status).toBe("succeeded");

  const edited = await pausedRun(runner, harness, store, "edited");
  await runner.decide(edited.approval.id, { kind: "edit", output: { ...proposal, risk: "high" } }, trusted);
  expect((await runner.settled(edited.runId)).status).toBe("succeeded");

  const sentBack = await pausedRun(runner, harness, store, "sent back");
  harness.server.enqueue({ kind: "json", value: { ...proposal, title: "Roll back checkout" } });
  await runner.decide(sentBack.approval.id, { kind: "request_changes", feedback: "Roll back instead." }, trusted);
  expect((await runner.settled(sentBack.runId)).status).toBe("awaiting_approval");
  const [round2] = await store.listApprovals({ runId: sentBack.runId, statuses: ["pending"], limit: 5 });
  await runner.decide(round2?.id ?? "", { kind: "reject", reason: "Not now." }, trusted);

  const cancelled = await pausedRun(runner, harness, store, "cancelled");
  await runner.cancel(cancelled.runId, "U-ONCALL", "duplicate");
  const expired = await pausedRun(runner, harness, store, "expired");
  expect(await runner.expire(expired.approval.id)).toBe(true);

  // A re-run of the approved run from its plan step: it copies the diagnosis and waits at the plan.
  harness.server.enqueue({ kind: "json", value: { ...proposal, title: "Scale checkout up" } });
  const rerun = await runner.rerun(approved.runId, { fromStepId: "plan", actor: "U-ONCALL" });
  expect((await runner.settled(rerun.runId)).status).toBe("awaiting_approval");

  const state = openSqliteState(harness.databasePath);
  let openIncidentId = "";
  try {
    const now = Date.now();
    const { store: direct, ledger, alerts, intents, retention } = state;
    const newRun = (id: string, at: number, leaseExpiresAt: number) => ({
      id,
      chainId: "remediate",
      stepCount: 3,
      input: { alert: id },
      startedBy: "U-STARTER",
      origin: { source: "webhook:alertmanager", reference: { receiver: "ops" } },
      at,
      leaseOwner: "host-gone:1:aa",
      leaseExpiresAt,
    });
    const started = (runId: string, at: number) => [{ runId, at, type: "run.started" as const, stepId: null, actor: "system", data: { note: "start" } }];
    // Failed; waiting out an outage (running, no lease, a retry row); left running by a crashed bot (lease expired).
    await direct.createRun(newRun("r_failed", now, now + 60_000), started("r_failed", now));
    await direct.finishRun({
      runId: "r_failed",
      fromStatuses: ["running"],
      owner: null,
      status: "failed",
      error: { code: "STEP_FAILED", message: "boom", stepId: "diagnose", details: { attempt: 3 } },
      at: now,
      events: [],
    });
    await direct.createRun(newRun("r_waiting", now, now + 60_000), started("r_waiting", now));
    const retry = {
      runId: "r_waiting",
      chainId: "remediate",
      stepId: "diagnose",
      stepIndex: 0,
      attempt: 2,
      nextAttemptAt: now + 30_000,
      waitingSince: now - 5_000,
      waitingFor: "model",
      code: "MODEL_TRANSPORT",
      message: "503",
    };
    expect(
      await direct.scheduleRetry({ guard: { runId: "r_waiting", owner: "host-gone:1:aa", cursor: 0 }, retry, at: now, events: started("r_waiting", now) }),
    ).toBe(true);
    await direct.createRun(newRun("r_crashed", now, now - 1_000), started("r_crashed", now));
    // Finished 40 days ago: retention prunes its detail (events and effects) and logs the pass.
    const old = now - 40 * DAY;
    await direct.createRun(newRun("r_old", old, old + 60_000), started("r_old", old));
    await direct.commitStep({
      guard: { runId: "r_old", owner: "host-gone:1:aa", cursor: 0 },
      step: {
        runId: "r_old",
        stepIndex: 0,
        stepId: "diagnose",
        status: "succeeded",
        output: { cause: "old" },
        startedAt: old,
        finishedAt: old + 5,
        executions: 1,
        usage: { modelCalls: 1, inputTokens: 9, cachedInputTokens: 4, outputTokens: 3, costUsd: 0.001 },
      },
      nextStatus: "running",
      at: old,
      events: [{ runId: "r_old", at: old, type: "model.call", stepId: "diagnose", actor: null, data: { model: "gpt-4o-mini" } }],
    });
    await direct.recordEffect({ key: "r_old:notify:1", runId: "r_old", result: { posted: true }, recordedAt: old });
    await direct.finishRun({ runId: "r_old", fromStatuses: ["running"], owner: null, status: "cancelled", error: null, at: old + 10, events: [] });
    expect((await pruneAuditDetail(retention, { olderThanMs: 30 * DAY, now })).runs).toBe(1);

    // Ledger: a card posted and updated, a claim not posted yet (no ts), a message of no run.
    await ledger.recordMessage({ key: `card:${pending.runId}`, runId: pending.runId, channel: "C-OPS", ts: "1700000000.000100", contentHash: "abc", at: now });
    expect(await ledger.claimMessage({ key: `reminder:${pending.approval.id}:1`, runId: pending.runId, channel: "C-OPS", at: now })).toBe(true);
    await ledger.recordMessage({ key: "schedule:nightly:2025-01-01", runId: null, channel: "C-OPS", ts: "1700000000.000200", contentHash: null, at: now });

    // Incidents: one open with an update claimed into a batch and one owed; one resolved, its update posted.
    const deliver = (key: string, group: string, alerts: NormalizedAlert[], at: number) =>
      state.alerts.recordDelivery({
        source: "alertmanager",
        deliveryKey: key,
        receivedAt: at,
        rawBody: JSON.stringify({ key, alerts }),
        groupKey: group,
        title: `Group ${group}`,
        alerts,
      });
    const opened = await deliver("d-1", "g-open", [alert("fa", "firing"), alert("fb", "firing")], now);
    openIncidentId = opened.changes[0]?.incident.id ?? "";
    expect(await alerts.attachRun(openIncidentId, pending.runId)).toBe(true);
    await deliver("d-2", "g-open", [alert("fa", "resolved"), alert("fc", "firing")], now + 1);
    expect((await alerts.claimIncidentUpdates(openIncidentId))?.newAlerts).toHaveLength(1);
    await deliver("d-3", "g-open", [alert("fd", "firing")], now + 2);
    expect((await deliver("d-1", "g-open", [alert("fa", "firing")], now + 3)).duplicate).toBe(true);
    const closed = await deliver("d-4", "g-closed", [alert("fx", "firing")], now + 4);
    const closedIncidentId = closed.changes[0]?.incident.id ?? "";
    await deliver("d-5", "g-closed", [alert("fx", "resolved")], now + 5);
    const batch = await alerts.claimIncidentUpdates(closedIncidentId);
    await alerts.markIncidentUpdatesPosted(batch?.key ?? "", now + 6);
    await deliver("d-6", "g-nothing", [alert("fz", "resolved")], now + 7);

    // Intents: two open, one finished.
    await intents.recordIntent({ kind: "review", payload: { repo: "acme/api", number: 42 }, at: now });
    const done = await intents.recordIntent({ kind: "rfp", payload: { file: "F123", big: "y".repeat(5_000) }, at: now + 1 });
    await intents.recordIntent({ kind: "review", payload: { repo: "acme/web", number: 7 }, at: now + 2 });
    await intents.finishIntent(done, now + 3);
  } finally {
    state.close();
  }
  return { pending, approvedRunId: approved.runId, openIncidentId };
}

/** Every record of a snapshot, by table (reads its pages to the end). */
export async function recordsOf(snapshot: StateSnapshot): Promise<Map<RecordPage["table"], unknown[]>> {
  const records = new Map<RecordPage["table"], unknown[]>(COPIED_TABLES.map((table) => [table, []]));
  for await (const page of snapshot.pages()) records.get(page.table)?.push(...page.records);
  return records;
}

/** The ids and keys the ports are asked about. */
export interface Keys {
  runIds: string[];
  approvalIds: string[];
  effectKeys: string[];
  messageKeys: string[];
  incidentIds: string[];
}

/** Everything the ports say about a deployment, for comparing two stores. */
export async function readThroughPorts(state: StatePorts, keys: Keys, now: number): Promise<Record<string, unknown>> {
  const { store, ledger, alerts, intents, retention } = state;
  const runs = await Promise.all(
    keys.runIds.map(async (runId) => ({
      run: await store.getRun(runId),
      steps: await store.getSteps(runId),
      approvals: await store.listApprovals({ runId, limit: 1_000 }),
      events: await store.listEvents(runId),
      retry: await store.getRetry(runId),
      lineage: await store.getLineage(runId),
      messages: await ledger.listMessagesOfRun(runId),
      incident: await alerts.findIncidentByRun(runId),
    })),
  );
  return {
    listRuns: await store.listRuns({ limit: 10_000 }),
    listFinished: await store.listRuns({ statuses: ["succeeded", "rejected", "cancelled", "expired", "failed"], limit: 10_000 }),
    inFlight: await store.listRunsInFlight(),
    retries: await store.listRetries(100),
    runs,
    listApprovals: await store.listApprovals({ limit: 10_000 }),
    pendingApprovals: await store.listApprovals({ statuses: ["pending"], limit: 10_000 }),
    approvals: await Promise.all(keys.approvalIds.map((id) => store.getApproval(id))),
    effects: await Promise.all(keys.effectKeys.map((key) => store.getEffect(key))),
    messages: await Promise.all(keys.messageKeys.map((key) => ledger.getMessage(key))),
    incidents: await alerts.listIncidents({ limit: 1_000 }),
    openIncidents: await alerts.listIncidents({ status: "open", limit: 1_000 }),
    incidentsById: await Promise.all(keys.incidentIds.map((id) => alerts.getIncident(id))),
    deliveries: await alerts.countDeliveries(),
    owedUpdates: await alerts.listIncidentsOwedUpdates(100),
    openIntents: await intents.listOpenIntents(100),
    prunable: await Promise.all([now, now - 20 * DAY, now + DAY].map((cutoff) => retention.countPrunable(cutoff))),
  };
}
