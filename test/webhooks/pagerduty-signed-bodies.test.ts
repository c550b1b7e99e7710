import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { AlertSource } from "../../src/core/ports.js";
import { startHttpServer, type RunningHttpServer } from "../../src/http/http-server.js";
import { openSqliteState, type SqliteState } from "../../src/store/index.js";
import { createWebhookRoutes, PAGERDUTY_MAX_BODY_BYTES } from "../../src/webhooks/webhook-routes.js";
import { silentLogger } from "../support/runner-harness.js";
import { postStreaming } from "../support/streaming-post.js";
import { makeTempDirectory } from "../support/temp-directory.js";

/**
 * `/webhooks/pagerduty` reads nothing it cannot authenticate. PagerDuty signs the exact body
 * bytes with HMAC-SHA256, Base16, once per signing secret, comma-separated in
 * `X-PagerDuty-Signature: v1=<hex>,v1=<hex>` (several during a secret rotation; versions other
 * than v1 are skipped): https://github.com/PagerDuty/developer-docs/blob/main/docs/webhooks/04-Signatures.md
 * A request without a usable signature (or with no secret configured) is answered before its
 * body is read; a signed body streams into the HMAC and is parsed only when it matches, within
 * PagerDuty's 256 KB limit ("All webhooks with a final size greater than 256 KB are always
 * dropped": https://github.com/PagerDuty/developer-docs/blob/main/docs/webhooks/02-Behavior.md#size-limit).
 * Each refusal says what to fix, and stores nothing.
 */

const SECRET = "pd-signing-secret-current";
const OLD_SECRET = "pd-signing-secret-previous";
const event = readFileSync(new URL("../fixtures/webhooks/pagerduty/v3-incident-triggered.json", import.meta.url));
const sign = (body: Buffer, secret: string): string => createHmac("sha256", secret).update(body).digest("hex");
const jsonHeaders = { "content-type": "application/json", "x-webhook-id": "9b2f6d1e-3c4a-4e5f-8a7b-1c2d3e4f5a6b" };

let directory: ReturnType<typeof makeTempDirectory> | undefined;
let state: SqliteState | undefined;
let server: RunningHttpServer | undefined;
const rejected: Array<[AlertSource, number]> = [];

afterEach(async () => {
  await server?.close();
  state?.close();
  directory?.remove();
  server = undefined;
  state = undefined;
  directory = undefined;
  rejected.length = 0;
});

async function start(secrets: ReadonlyArray<string>): Promise<{ url: string; state: SqliteState }> {
  directory = makeTempDirectory("baton-pagerduty-");
  state = openSqliteState(join(directory.path, "baton.db"));
  const routes = createWebhookRoutes({
    store: state.alerts,
    webhookToken: undefined,
    pagerDutySecrets: secrets,
    logger: silentLogger,
    clock: { now: () => Date.now() },
    onChanges: () => undefined,
    onDelivery: (source, outcome, status) => void (outcome === "rejected" && rejected.push([source, status])),
  });
  server = await startHttpServer({ port: 0, host: "127.0.0.1", routes, logger: silentLogger });
  return { url: `http://127.0.0.1:${String(server.port)}/webhooks/pagerduty`, state };
}

async function nothingStored(store: SqliteState): Promise<void> {
  expect(await store.alerts.countDeliveries()).toBe(0);
  expect(await store.alerts.listIncidents({ limit: 10 })).toEqual([]);
}

/** POST `body` in pieces of `pieceSize` bytes (chunked), so the signature is checked across chunk boundaries. */
function postInPieces(
  url: string,
  headers: Record<string, string>,
  body: Buffer,
  pieceSize: number,
): Promise<{ status: number; json: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { method: "POST", headers: { ...headers, "transfer-encoding": "chunked" } }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () =>
        resolve({ status: response.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown> }),
      );
    });
    request.on("error", reject);
    for (let offset = 0; offset < body.length; offset += pieceSize) request.write(body.subarray(offset, offset + pieceSize));
    request.end();
  });
}

// 900 KiB that never ends: a server that waited for the body before answering would never answer.
const unsignedLoad = { chunk: Buffer.alloc(64 * 1024, 0x20), maxBytes: 900 * 1024, endBody: false };

describe("POST /webhooks/pagerduty refuses before reading", () => {
  it("a request without X-PagerDuty-Signature is 401 while its 900 KiB body is still being sent, saying what to set", async () => {
    const { url, state: store } = await start([SECRET]);
    const answer = await postStreaming(url, jsonHeaders, unsignedLoad);
    expect(answer.status).toBe(401);
    expect(answer.finished).toBe(false);
    expect(answer.bytesSent).toBeLessThan(unsignedLoad.maxBytes);
    expect(answer.json).toMatchObject({ error: "UNAUTHORIZED" });
    expect(String(answer.json["message"])).toContain("X-PagerDuty-Signature");
    expect(String(answer.json["message"])).toContain("PAGERDUTY_WEBHOOK_SECRET");
    expect(rejected).toEqual([["pagerduty", 401]]);
    await nothingStored(store);
  });

  it.each([
    ["a GitHub-style header", `sha256=${sign(event, SECRET)}`],
    ["a v1 that is not 64 hex digits", `v1=${sign(event, SECRET).slice(0, 63)}`],
    ["a v1 with a non-hex digit", `v1=${sign(event, SECRET).slice(0, 63)}z`],
    ["only another version", `v0=${sign(event, SECRET)}`],
    ["an empty header", ""],
    ["commas only", " , ,"],
  ])("a malformed header (%s) counts as none: 401 before the body is read", async (_name, header) => {
    const { url, state: store } = await start([SECRET]);
    const answer = await postStreaming(url, { ...jsonHeaders, "x-pagerduty-signature": header }, unsignedLoad);
    expect(answer.status).toBe(401);
    expect(answer.finished).toBe(false);
    expect(String(answer.json["message"])).toContain("v1=<64 hex digits>");
    await nothingStored(store);
  });

  it("with PAGERDUTY_WEBHOOK_SECRET unset, even a signed request is 503 before its body is read, naming the variable", async () => {
    const { url, state: store } = await start([]);
    const answer = await postStreaming(url, { ...jsonHeaders, "x-pagerduty-signature": `v1=${sign(event, SECRET)}` }, unsignedLoad);
    expect(answer.status).toBe(503);
    expect(answer.finished).toBe(false);
    expect(answer.json).toMatchObject({ error: "WEBHOOK_NOT_CONFIGURED" });
    expect(String(answer.json["message"])).toContain("PAGERDUTY_WEBHOOK_SECRET");
    await nothingStored(store);
  });

  it("a signed body over PagerDuty's 256 KB limit is 413 while it streams, before the sender has finished", async () => {
    const { url, state: store } = await start([SECRET]);
    const chunk = Buffer.alloc(32 * 1024, 0x20);
    const answer = await postStreaming(
      url,
      { ...jsonHeaders, "x-pagerduty-signature": `v1=${sign(chunk, SECRET)}` },
      { chunk, maxBytes: PAGERDUTY_MAX_BODY_BYTES * 2, endBody: true },
    );
    expect(answer.status).toBe(413);
    expect(answer.finished).toBe(false);
    expect(answer.json).toMatchObject({ error: "PAYLOAD_TOO_LARGE" });
    expect(String(answer.json["message"])).toContain(String(PAGERDUTY_MAX_BODY_BYTES));
    await nothingStored(store);
  });
});

describe("POST /webhooks/pagerduty checks the signature as the body streams in", () => {
  it("the right signature, checked across 7-byte chunks, is accepted and stored", async () => {
    const { url, state: store } = await start([SECRET]);
    const answer = await postInPieces(url, { ...jsonHeaders, "x-pagerduty-signature": `v1=${sign(event, SECRET)}` }, event, 7);
    expect(answer.status).toBe(202);
    expect(answer.json).toMatchObject({ duplicate: false, incidents: [{ change: "opened" }] });
    expect(await store.alerts.countDeliveries()).toBe(1);
    expect(await store.alerts.listIncidents({ limit: 10 })).toEqual([expect.objectContaining({ source: "pagerduty", groupKey: "Q2K7X1ABCDEF12" })]);
  });

  it("a body just under the limit (PagerDuty's own size) is accepted", async () => {
    const { url, state: store } = await start([SECRET]);
    // JSON allows trailing whitespace: the same event, padded to one byte under the limit.
    const padded = Buffer.concat([event, Buffer.alloc(PAGERDUTY_MAX_BODY_BYTES - event.length, 0x20)]);
    const answer = await postInPieces(url, { ...jsonHeaders, "x-pagerduty-signature": `v1=${sign(padded, SECRET)}` }, padded, 16 * 1024);
    expect(answer.status).toBe(202);
    expect(await store.alerts.countDeliveries()).toBe(1);
  });

  it("a wrong signature is 401 without the body being parsed (not JSON here, else 400), and nothing is stored", async () => {
    const { url, state: store } = await start([SECRET]);
    const notJson = Buffer.from("this is not json");
    const answer = await postInPieces(url, { ...jsonHeaders, "x-pagerduty-signature": `v1=${sign(notJson, "someone-else's-secret")}` }, notJson, 4);
    expect(answer.status).toBe(401);
    expect(answer.json).toMatchObject({ error: "UNAUTHORIZED" });
    expect(String(answer.json["message"])).toContain("does not match PAGERDUTY_WEBHOOK_SECRET");
    expect(rejected).toEqual([["pagerduty", 401]]);
    await nothingStored(store);
  });

  it("a body changed by one byte after signing is 401 and nothing is stored", async () => {
    const { url, state: store } = await start([SECRET]);
    const answer = await postInPieces(
      url,
      { ...jsonHeaders, "x-pagerduty-signature": `v1=${sign(event, SECRET)}` },
      Buffer.concat([event, Buffer.from(" ")]),
      512,
    );
    expect(answer.status).toBe(401);
    await nothingStored(store);
  });

  it("while a secret rotates, a body signed with either configured secret is accepted", async () => {
    const { url, state: store } = await start([SECRET, OLD_SECRET]);
    const withOld = await postInPieces(url, { ...jsonHeaders, "x-pagerduty-signature": `v1=${sign(event, OLD_SECRET)}` }, event, 100);
    expect(withOld.status).toBe(202);
    expect(withOld.json).toMatchObject({ duplicate: false });
    const withNew = await postInPieces(url, { ...jsonHeaders, "x-pagerduty-signature": `v1=${sign(event, SECRET)}` }, event, 100);
    expect(withNew.status).toBe(202);
    // The same X-Webhook-Id: PagerDuty's retry, recognised and stored once.
    expect(withNew.json).toMatchObject({ duplicate: true });
    expect(await store.alerts.countDeliveries()).toBe(1);
  });

  it("a header with several v1= entries (PagerDuty rotating its secret) matches when any one of them does", async () => {
    const { url, state: store } = await start([OLD_SECRET]);
    const header = `v1=${sign(event, "the-subscription's-new-secret")}, v1=${sign(event, OLD_SECRET).toUpperCase()},v2=${"f".repeat(64)}`;
    const answer = await postInPieces(url, { ...jsonHeaders, "x-pagerduty-signature": header }, event, 1024);
    expect(answer.status).toBe(202);
    expect(await store.alerts.countDeliveries()).toBe(1);
    const noneMatch = `v1=${sign(event, "a")},v1=${sign(event, "b")}`;
    const refused = await postInPieces(url, { ...jsonHeaders, "x-pagerduty-signature": noneMatch, "x-webhook-id": "another" }, event, 1024);
    expect(refused.status).toBe(401);
    expect(await store.alerts.countDeliveries()).toBe(1);
  });

  it("invalid JSON with a valid signature is 400 saying so, and nothing is stored", async () => {
    const { url, state: store } = await start([SECRET]);
    const broken = Buffer.from('{"event": {"id": "01F2", ');
    const answer = await postInPieces(url, { ...jsonHeaders, "x-pagerduty-signature": `v1=${sign(broken, SECRET)}` }, broken, 5);
    expect(answer.status).toBe(400);
    expect(answer.json).toMatchObject({ error: "INVALID_JSON" });
    expect(String(answer.json["message"])).toContain("not valid JSON");
    await nothingStored(store);
  });

  it("a signed body that is not a PagerDuty V3 event is 422 with the failing paths, and nothing is stored", async () => {
    const { url, state: store } = await start([SECRET]);
    const notAnEvent = Buffer.from(JSON.stringify({ messages: [{ event: "incident.trigger" }] }));
    const answer = await postInPieces(url, { ...jsonHeaders, "x-pagerduty-signature": `v1=${sign(notAnEvent, SECRET)}` }, notAnEvent, 9);
    expect(answer.status).toBe(422);
    expect(answer.json).toMatchObject({ error: "PAYLOAD_INVALID" });
    expect(String(answer.json["message"])).toContain("PagerDuty V3 webhook event");
    expect(answer.json["issues"]).toEqual(expect.arrayContaining([expect.objectContaining({ path: "event" })]));
    await nothingStored(store);
  });

  it("a signed body that is not JSON by its Content-Type is 415, and nothing is stored", async () => {
    const { url, state: store } = await start([SECRET]);
    const answer = await postInPieces(url, { "content-type": "text/plain", "x-pagerduty-signature": `v1=${sign(event, SECRET)}` }, event, 1024);
    expect(answer.status).toBe(415);
    expect(String(answer.json["message"])).toContain("application/json");
    await nothingStored(store);
  });
});
