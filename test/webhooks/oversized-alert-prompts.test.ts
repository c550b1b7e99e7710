import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GptTokenCounter } from "../../src/llm/gpt-token-counter.js";
import { startBotHarness, type BotHarness } from "../support/bot-harness.js";

/**
 * The three oversized Alertmanager deliveries of issue 12, through the real webhook route into
 * incident-response runs against the fake OpenAI server: each prompt the server receives fits
 * the model's budget, counted with the model's tokenizer, and what was cut to fit is in the
 * model call's audit entry. The window is 32,768 tokens (a common self-hosted context length,
 * set with BATON_MODEL_CONTEXT_TOKENS) so that every delivery needs cutting.
 */

const TOKEN = "oversized-webhook-token-0123456789";
const REPO_CHAINS = fileURLToPath(new URL("../../chains", import.meta.url));
const CONTEXT_TOKENS = 32_768;
const ANSWER_TOKENS = 4_096;
const examples = JSON.parse(readFileSync(new URL("../../chains/incident-response/examples.json", import.meta.url), "utf8")) as {
  classify: unknown;
  remediation: unknown;
};
const counter = new GptTokenCounter();

let harness: BotHarness;

beforeAll(async () => {
  harness = await startBotHarness({
    environment: {
      BATON_CHAINS_DIR: REPO_CHAINS,
      BATON_WEBHOOK_TOKEN: TOKEN,
      BATON_SLACK_CHANNEL: "C0OPS",
      BATON_MODEL: "gpt-4o-mini",
      BATON_MODEL_CONTEXT_TOKENS: String(CONTEXT_TOKENS),
    },
  });
  harness.model.setFallback((body) => {
    const text = JSON.stringify((body as { messages?: unknown }).messages ?? []);
    return { kind: "json", value: text.includes("first responder") ? examples.classify : examples.remediation };
  });
});
afterAll(async () => {
  await harness.close();
});

function alert(index: number, labels: Record<string, string>, summary = "5xx rate above 5% on checkout"): Record<string, unknown> {
  return {
    status: "firing",
    labels: { alertname: "HighErrorRate", service: "checkout", severity: "critical", ...labels },
    annotations: { summary, description: `checkout 5xx ratio is 7.3% on instance ${String(index)} over the last 5m` },
    startsAt: "2026-11-24T12:25:23Z",
    endsAt: "0001-01-01T00:00:00Z",
    generatorURL: "http://prometheus.example:9090/graph",
    fingerprint: `f${index.toString(16).padStart(15, "0")}`,
  };
}

function delivery(alerts: ReadonlyArray<Record<string, unknown>>, groupKey: string): string {
  return JSON.stringify({
    receiver: "baton",
    status: "firing",
    alerts,
    groupLabels: { alertname: "HighErrorRate" },
    commonLabels: { alertname: "HighErrorRate" },
    commonAnnotations: {},
    externalURL: "http://alertmanager.example:9093",
    version: "4",
    groupKey,
    truncatedAlerts: 0,
  });
}

async function waitFor<Value>(what: string, probe: () => Promise<Value | undefined>): Promise<Value> {
  for (let tries = 0; tries < 1_200; tries += 1) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`gave up waiting for ${what}`);
}

type ChatBody = { messages: Array<{ role: string; content: string }>; response_format?: { json_schema?: { schema?: unknown } } };

/** What a request sends, counted as the budget counts it: every message, the schema, and the chat framing. */
function promptTokensOf(body: ChatBody): number {
  const framing = body.messages.length * 4 + 3;
  const schema = body.response_format?.json_schema?.schema;
  return (
    body.messages.reduce((sum, message) => sum + counter.count(message.content, "gpt-4o-mini"), framing) +
    (schema === undefined ? 0 : counter.count(JSON.stringify(schema), "gpt-4o-mini"))
  );
}

async function runDelivery(body: string): Promise<{ runId: string; bodies: ChatBody[] }> {
  const store = harness.bot.runtime.store;
  const before = harness.model.requests.length;
  const known = new Set((await store.listRuns({ chainId: "incident-response", limit: 50 })).map((run) => run.id));
  const response = await fetch(`http://127.0.0.1:${String(harness.bot.port)}/webhooks/alertmanager`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${TOKEN}` },
    body,
  });
  expect(response.status).toBe(202);
  const run = await waitFor("the incident run to reach its approval", async () =>
    (await store.listRuns({ chainId: "incident-response", statuses: ["awaiting_approval", "failed"], limit: 50 })).find(
      (candidate) => !known.has(candidate.id),
    ),
  );
  expect(run.error).toBeNull();
  return { runId: run.id, bodies: harness.model.requests.slice(before).map((request) => request.body as ChatBody) };
}

describe("oversized Alertmanager deliveries become prompts within the model's budget", () => {
  it("one ~979 KiB delivery with ~95k labels on one alert: 30 labels kept, the rest counted; within budget; the cut recorded", async () => {
    const labels: Record<string, string> = {};
    // `"key":"",` per label: grow until the labels alone are ~970 KiB.
    for (let index = 0, size = 0; size < 970 * 1024; index += 1) {
      const key = `l${index.toString(36)}`;
      labels[key] = "";
      size += key.length + 6;
    }
    const body = delivery([alert(1, labels)], '{}:{alertname="HighErrorRate", big="labels"}');
    expect(body.length).toBeGreaterThan(960 * 1024);
    const { runId, bodies } = await runDelivery(body);
    expect(bodies).toHaveLength(2);
    for (const sent of bodies) expect(promptTokensOf(sent)).toBeLessThanOrEqual(CONTEXT_TOKENS - ANSWER_TOKENS);
    expect(bodies[0]?.messages[1]?.content).toMatch(/[\d,]+ more labels left out/);
    const calls = (await harness.bot.runtime.store.listEvents(runId)).filter((event) => event.type === "model.call");
    const labelCount = Object.keys(labels).length + 3;
    expect(calls[0]?.data["promptCuts"]).toEqual([{ what: "alert labels", how: "left_out", before: labelCount, after: 30 }]);
    // A prompt this far below its limit is not tokenized: its UTF-8 length bounds its tokens.
    expect(calls[0]?.data["promptTokens"]).toBeUndefined();
    expect(Number(calls[0]?.data["promptTokensAtMost"])).toBeLessThanOrEqual(Number(calls[0]?.data["promptLimitTokens"]));
  });

  it("1,000 different alerts in one delivery: as many as fit, then one line summarising the rest; the omission recorded", async () => {
    const alerts = Array.from({ length: 1_000 }, (_, index) =>
      alert(
        index,
        { instance: `checkout-${String(index)}:8080`, pod: `checkout-7d9f-${String(index)}`, service: `svc-${String(index % 2)}` },
        `5xx rate above 5% on checkout pod ${String(index)} — ${"x".repeat(200)}`,
      ),
    );
    const body = delivery(alerts, '{}:{alertname="HighErrorRate", many="alerts"}');
    const { runId, bodies } = await runDelivery(body);
    for (const sent of bodies) expect(promptTokensOf(sent)).toBeLessThanOrEqual(CONTEXT_TOKENS - ANSWER_TOKENS);
    expect(bodies[0]?.messages[1]?.content).toMatch(/… and [\d,]+ more alerts: 1 alert name, 2 services/);
    const calls = (await harness.bot.runtime.store.listEvents(runId)).filter((event) => event.type === "model.call");
    expect(calls[0]?.data["promptCuts"]).toEqual(expect.arrayContaining([expect.objectContaining({ what: "alerts", how: "left_out", before: 1_000 })]));
  });

  it("1,000 identical alerts fold into one line with a count; the fold recorded", async () => {
    // Alertmanager sends each with its own fingerprint and start; what the model reads is the same.
    const alerts = Array.from({ length: 1_000 }, (_, index) => ({
      ...alert(index, { instance: "checkout-1:8080" }),
      annotations: { summary: "same summary", description: "same description" },
      startsAt: `2026-11-24T12:${String(10 + (index % 50))}:00Z`,
    }));
    const { runId, bodies } = await runDelivery(delivery(alerts, '{}:{alertname="HighErrorRate", same="alerts"}'));
    expect(bodies[0]?.messages[1]?.content).toContain("(×1000 identical)");
    const calls = (await harness.bot.runtime.store.listEvents(runId)).filter((event) => event.type === "model.call");
    expect(calls[0]?.data["promptCuts"]).toEqual([{ what: "alerts", how: "folded", before: 1_000, after: 1 }]);
  });

  it("five 10,000-character labels: each value cut with a marker; within budget; the cut recorded", async () => {
    const labels = Object.fromEntries(Array.from({ length: 5 }, (_, index) => [`long${String(index)}`, `${"ab".repeat(5_000)}`]));
    const { runId, bodies } = await runDelivery(delivery([alert(1, labels)], '{}:{alertname="HighErrorRate", long="labels"}'));
    for (const sent of bodies) expect(promptTokensOf(sent)).toBeLessThanOrEqual(CONTEXT_TOKENS - ANSWER_TOKENS);
    expect(bodies[0]?.messages[1]?.content).toContain("…[cut 9,800 characters]");
    const calls = (await harness.bot.runtime.store.listEvents(runId)).filter((event) => event.type === "model.call");
    expect(calls[0]?.data["promptCuts"]).toEqual([{ what: "alert values over their length bound", how: "cut", before: 50_000, after: 1_000 }]);
  });
});
