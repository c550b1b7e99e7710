import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AlertSource, DeliveryOutcome } from "../../src/core/ports.js";
import { startHttpServer, type RunningHttpServer } from "../../src/http/http-server.js";
import { openSqliteState, type SqliteState } from "../../src/store/index.js";
import { createWebhookRoutes } from "../../src/webhooks/webhook-routes.js";
import { silentLogger } from "../support/runner-harness.js";
import { makeTempDirectory } from "../support/temp-directory.js";

/**
 * The alert webhooks over real HTTP on a real SQLite file, with the real payloads that
 * Alertmanager 0.25, Grafana and PagerDuty send (test/fixtures/webhooks, byte for byte).
 */

const TOKEN = "webhook-test-token-0123456789";
const PD_SECRET = "test-pd-webhook-secret";
const fixture = (path: string): Buffer => readFileSync(new URL(`../fixtures/webhooks/${path}`, import.meta.url));
const pagerDutySignature = /X-PagerDuty-Signature: (.*)/.exec(fixture("pagerduty/v3-incident-triggered.headers.txt").toString("utf8"))?.[1]?.trim() ?? "";
const pagerDutyWebhookId = /X-Webhook-Id: (.*)/.exec(fixture("pagerduty/v3-incident-triggered.headers.txt").toString("utf8"))?.[1]?.trim() ?? "";

let directory: ReturnType<typeof makeTempDirectory>;
let state: SqliteState;
let server: RunningHttpServer;
const changes: Array<{ outcome: DeliveryOutcome; source: AlertSource }> = [];
const deliveries: Array<[AlertSource, string, number]> = [];

beforeEach(async () => {
  directory = makeTempDirectory("baton-webhooks-");
  state = openSqliteState(join(directory.path, "baton.db"));
  changes.length = 0;
  deliveries.length = 0;
  const routes = createWebhookRoutes({
    store: state.alerts,
    webhookToken: TOKEN,
    pagerDutySecrets: ["new-rotated-secret", PD_SECRET],
    maxBodyBytes: 64 * 1024,
    logger: silentLogger,
    clock: { now: () => Date.now() },
    onChanges: (outcome, source) => void changes.push({ outcome, source }),
    onDelivery: (source, outcome, status) => void deliveries.push([source, outcome, status]),
  });
  server = await startHttpServer({ port: 0, host: "127.0.0.1", routes, logger: silentLogger });
});
afterEach(async () => {
  await server.close();
  state.close();
  directory.remove();
});

function post(path: string, body: Buffer | string, headers: Record<string, string> = {}): Promise<{ status: number; json: Record<string, unknown> }> {
  return fetch(`http://127.0.0.1:${String(server.port)}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${TOKEN}`, ...headers },
    body,
  }).then(async (response) => ({ status: response.status, json: (await response.json()) as Record<string, unknown> }));
}

describe("Alertmanager, Grafana, PagerDuty and generic deliveries", () => {
  it("Alertmanager: firing opens an incident, a redelivery is recognised, resolved resolves it; stored before the 202", async () => {
    const firing = await post("/webhooks/alertmanager", fixture("alertmanager/firing.json"));
    expect(firing.status).toBe(202);
    expect(firing.json).toMatchObject({ duplicate: false, incidents: [{ change: "opened" }] });
    // A fresh connection to the file sees it: it was committed before the answer.
    const reopened = openSqliteState(join(directory.path, "baton.db"));
    const [incident] = await reopened.alerts.listIncidents({ limit: 5 });
    const storedDeliveries = await reopened.alerts.countDeliveries();
    reopened.close();
    expect(storedDeliveries).toBe(1);
    expect(String(firing.json["deliveryId"])).toMatch(/^d_/);
    expect(incident?.alerts[0]).toMatchObject({
      name: "HighErrorRate",
      service: "checkout",
      severity: "critical",
      status: "firing",
      endsAt: null,
      runbookUrl: "https://runbooks.example.com/checkout/high-error-rate",
    });

    const again = await post("/webhooks/alertmanager", fixture("alertmanager/firing.json"));
    expect(again.json).toMatchObject({ duplicate: true, incidents: [] });
    const resolved = await post("/webhooks/alertmanager", fixture("alertmanager/resolved.json"));
    expect(resolved.json).toMatchObject({ incidents: [{ change: "resolved" }] });
    expect(await state.alerts.listIncidents({ status: "open", limit: 5 })).toHaveLength(0);
    expect(changes.map((change) => change.outcome.changes[0]?.change)).toEqual(["opened", undefined, "resolved"]);
    expect(deliveries.map(([, outcome]) => outcome)).toEqual(["accepted", "duplicate", "accepted"]);
  });

  it("accepts the bearer scheme in any case", async () => {
    const answer = await post("/webhooks/generic", JSON.stringify({ title: "Disk 91% on db-1" }), { authorization: `bearer ${TOKEN}` });
    expect(answer.status).toBe(202);
  });

  it("Alertmanager: a group whose status is firing can hold resolved alerts — each alert's own status counts", async () => {
    const answer = await post("/webhooks/alertmanager", fixture("alertmanager/group-partial-resolved.json"));
    expect(answer.status).toBe(202);
    const [incident] = await state.alerts.listIncidents({ limit: 5 });
    // The resolved alert was never seen firing here: only the firing one belongs to the incident.
    expect(incident?.alerts.map((alert) => [alert.fingerprint, alert.status])).toEqual([["e2be21fa45e02c1d", "firing"]]);
    expect(incident).toMatchObject({ groupKey: '{}:{alertname="DiskAlmostFull", service="postgres"}', status: "open" });
    expect((await post("/webhooks/alertmanager", fixture("alertmanager/firing-from-prometheus-rule.json"))).status).toBe(202);
  });

  it("Grafana and generic alerts open incidents; generic alerts of one group join one incident", async () => {
    expect((await post("/webhooks/grafana", fixture("grafana/firing.json"))).json).toMatchObject({ incidents: [{ change: "opened" }] });
    const [grafana] = await state.alerts.listIncidents({ limit: 1 });
    expect(grafana?.alerts[0]).toMatchObject({
      fingerprint: "8d3a4c1b2e5f6a7b",
      name: "CheckoutLatencyHigh",
      status: "firing",
      severity: "critical",
      service: "checkout",
      summary: "p99 latency above 1.5s on checkout",
      endsAt: null,
      runbookUrl: "https://runbooks.example.com/checkout/latency",
    });
    const first = await post(
      "/webhooks/generic",
      JSON.stringify({ title: "Disk 91% on db-1", severity: "warning", group: "db-1 disk", labels: { service: "postgres" } }),
    );
    const second = await post("/webhooks/generic", JSON.stringify({ title: "Disk 95% on db-1", severity: "critical", group: "db-1 disk" }));
    expect(first.json).toMatchObject({ incidents: [{ change: "opened" }] });
    expect(second.json).toMatchObject({ incidents: [{ change: "updated" }] });
    expect(await state.alerts.listIncidents({ limit: 10 })).toHaveLength(2);
  });

  it("PagerDuty: the real signature is accepted (also while the secret rotates), a retry is recognised by X-Webhook-Id, a wrong one gets 401", async () => {
    const body = fixture("pagerduty/v3-incident-triggered.json");
    const headers = { authorization: "", "x-pagerduty-signature": pagerDutySignature, "x-webhook-id": pagerDutyWebhookId };
    const accepted = await post("/webhooks/pagerduty", body, headers);
    expect(accepted.status).toBe(202);
    expect(accepted.json).toMatchObject({ incidents: [{ change: "opened" }] });
    const [incident] = await state.alerts.listIncidents({ limit: 1 });
    expect(incident).toMatchObject({ source: "pagerduty", groupKey: "Q2K7X1ABCDEF12" });
    const rotated = await post("/webhooks/pagerduty", body, { ...headers, "x-pagerduty-signature": `v1=${"0".repeat(64)}, ${pagerDutySignature}` });
    expect(rotated.json).toMatchObject({ duplicate: true });
    const forged = await post("/webhooks/pagerduty", body, { ...headers, "x-pagerduty-signature": `v1=${"a".repeat(64)}` });
    expect(forged.status).toBe(401);
    expect(String(forged.json["message"])).toContain("PAGERDUTY_WEBHOOK_SECRET");
    const tampered = await post("/webhooks/pagerduty", Buffer.concat([body, Buffer.from(" ")]), headers);
    expect(tampered.status).toBe(401);
  });
});

describe("bad deliveries: the right status, a body saying what to fix, and nothing stored", () => {
  it.each([
    ["no token", "/webhooks/alertmanager", fixture("alertmanager/firing.json"), { authorization: "" }, 401, "Authorization: Bearer"],
    ["a wrong token", "/webhooks/alertmanager", fixture("alertmanager/firing.json"), { authorization: "Bearer nope" }, 401, "BATON_WEBHOOK_TOKEN"],
    ["too large", "/webhooks/generic", JSON.stringify({ title: "x", description: "y".repeat(70_000) }), {}, 413, "larger than"],
    ["not JSON", "/webhooks/alertmanager", "status=firing", { "content-type": "application/x-www-form-urlencoded" }, 415, "application/json"],
    ["broken JSON", "/webhooks/alertmanager", '{"version": "4", ', {}, 400, "not valid JSON"],
    ["the wrong schema", "/webhooks/alertmanager", JSON.stringify({ version: "3", alerts: [] }), {}, 422, "version"],
    ["a generic alert without a title", "/webhooks/generic", JSON.stringify({ severity: "high" }), {}, 422, "title"],
  ] as const)("%s", async (_name, path, body, headers, status, hint) => {
    const answer = await post(path, body, headers);
    expect(answer.status).toBe(status);
    expect(JSON.stringify(answer.json)).toContain(hint);
    expect(await state.alerts.countDeliveries()).toBe(0);
    expect(changes).toHaveLength(0);
  });

  it("a body over the limit sent in chunks, without a Content-Length, still gets 413", async () => {
    const chunk = new TextEncoder().encode("x".repeat(16 * 1024));
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({ pull: (controller) => (sent++ < 6 ? controller.enqueue(chunk) : controller.close()) });
    const init: RequestInit & { duplex: "half" } = {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${TOKEN}` },
      body,
      duplex: "half",
    };
    const response = await fetch(`http://127.0.0.1:${String(server.port)}/webhooks/generic`, init);
    expect(response.status).toBe(413);
    expect(await response.text()).toContain("PAYLOAD_TOO_LARGE");
    expect(await state.alerts.countDeliveries()).toBe(0);
  });

  it("a schema failure lists zod's paths", async () => {
    const answer = await post(
      "/webhooks/alertmanager",
      JSON.stringify({ version: "4", groupKey: "g", status: "firing", receiver: "r", alerts: [{ status: "burning", labels: {}, fingerprint: "f" }] }),
    );
    expect(answer.status).toBe(422);
    expect(answer.json["issues"]).toEqual(expect.arrayContaining([expect.objectContaining({ path: "alerts[0].status" })]));
  });

  it("a sender whose secret is not configured gets 503 naming the variable", async () => {
    await server.close();
    server = await startHttpServer({
      port: 0,
      host: "127.0.0.1",
      routes: createWebhookRoutes({
        store: state.alerts,
        webhookToken: undefined,
        pagerDutySecrets: [],
        logger: silentLogger,
        clock: { now: () => Date.now() },
        onChanges: () => undefined,
      }),
      logger: silentLogger,
    });
    expect((await post("/webhooks/generic", JSON.stringify({ title: "x" }))).json["message"]).toContain("BATON_WEBHOOK_TOKEN");
    const pagerDuty = await post("/webhooks/pagerduty", fixture("pagerduty/v3-incident-triggered.json"), { "x-pagerduty-signature": pagerDutySignature });
    expect(pagerDuty.status).toBe(503);
    expect(pagerDuty.json["message"]).toContain("PAGERDUTY_WEBHOOK_SECRET");
  });
});
