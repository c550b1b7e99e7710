import { request as httpRequest } from "node:http";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createLogger } from "../../src/runtime/logger.js";
import { startBotHarness, type BotHarness } from "../support/bot-harness.js";

/**
 * Issue 13 item 9, the terraform-plan webhook: a plan is checked before its 202 (a body nested
 * 10,000 deep answered 500, and `resource_changes: "x"` got 202 and failed later), and a client
 * that hangs up mid-body is logged as the client's doing, not as baton's error.
 */

const TOKEN = "webhook-test-token-0123456789";
const plan = JSON.parse(readFileSync(new URL("../fixtures/iac/terraform-data-plan.json", import.meta.url), "utf8")) as Record<string, unknown>;
let harness: BotHarness;
let log = "";
beforeEach(async () => {
  log = "";
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      log += chunk.toString("utf8");
      done();
    },
  });
  harness = await startBotHarness({
    logger: createLogger("debug", sink),
    environment: { BATON_WEBHOOK_TOKEN: TOKEN, BATON_SLACK_CHANNEL: "C0RUNS", BATON_CHAINS_DIR: join(import.meta.dirname, "..", "fixtures", "review-chains") },
  });
});
afterEach(async () => {
  await harness.close();
});

async function postPlan(body: string): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`http://127.0.0.1:${String(harness.bot.port)}/webhooks/terraform-plan`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${TOKEN}` },
    body,
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

describe("POST /webhooks/terraform-plan checks the plan before its 202", () => {
  it("a body nested 10,000 deep: 422 naming the depth, not a 500 stack overflow; nothing stored", async () => {
    const deep = `{"plan":{"format_version":"1.2","variables":${"[".repeat(10_000)}${"]".repeat(10_000)}}}`;
    const answer = await postPlan(deep);
    expect(answer.status).toBe(422);
    expect(answer.json).toMatchObject({ error: "PAYLOAD_INVALID", message: expect.stringContaining("nests deeper than 256 levels (at .plan.variables") });
    expect(await harness.bot.runtime.store.listRuns({ limit: 10 })).toEqual([]);
  });

  it.each([
    ["resource_changes is a string", { ...plan, resource_changes: "x" }, "plan.resource_changes"],
    [
      "a change without actions",
      { ...plan, resource_changes: [{ address: "a.b", type: "a", name: "b", change: {} }] },
      "plan.resource_changes[0].change.actions",
    ],
    [
      "an unknown action",
      { ...plan, resource_changes: [{ address: "a.b", type: "a", name: "b", change: { actions: ["explode"] } }] },
      "plan.resource_changes[0].change.actions[0]",
    ],
  ])("%s: 422 with the path, and no run", async (_name, badPlan, path) => {
    const answer = await postPlan(JSON.stringify({ plan: badPlan }));
    expect(answer.status).toBe(422);
    expect(answer.json).toMatchObject({ error: "PAYLOAD_INVALID", issues: [expect.objectContaining({ path })] });
    expect(await harness.bot.runtime.store.listRuns({ limit: 10 })).toEqual([]);
  });

  it("the captured plan is still accepted", async () => {
    const answer = await postPlan(JSON.stringify({ plan }));
    expect(answer.status).toBe(202);
  });

  it("a client hanging up mid-body is logged at info, not error, and the server keeps serving", async () => {
    await new Promise<void>((resolve) => {
      const request = httpRequest({
        host: "127.0.0.1",
        port: harness.bot.port,
        method: "POST",
        path: "/webhooks/terraform-plan",
        headers: { "content-type": "application/json", authorization: `Bearer ${TOKEN}`, "content-length": "100000" },
      });
      request.on("error", () => resolve());
      request.write('{"plan": {"format_version": "1.2", "resource_changes": [', () => setImmediate(() => request.destroy()));
      request.on("close", () => resolve());
    });
    const deadline = Date.now() + 5_000;
    while (!log.includes("before sending its whole body") && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    const lines = log.split("\n").filter((line) => line.includes("webhooks/terraform-plan"));
    expect(lines.some((line) => line.includes('"level":30') && line.includes("before sending its whole body"))).toBe(true);
    expect(lines.filter((line) => line.includes('"level":50'))).toEqual([]);
    expect((await fetch(`http://127.0.0.1:${String(harness.bot.port)}/healthz`)).status).toBe(200);
  });
});
