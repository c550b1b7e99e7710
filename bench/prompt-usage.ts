// What each shipped chain sends a model, run on its example input to its approval against the
// fake OpenAI server: model calls, prompt tokens (o200k_base, gpt-4o's tokenizer, counting the
// schema and every message sent), cached tokens (OpenAI's documented prompt caching, simulated
// by test/support/fake-prompt-cache.ts), and cost at gpt-4o-mini prices. The model answers from
// each chain's examples.json (rfp-response from test/support/fake-rfp-model.ts, whose answers
// pass the chain's quote checks on every chunk). Also the size of the classify prompt for the
// three oversized Alertmanager deliveries of issue 12.
//
//   npx tsx bench/prompt-usage.ts [--out bench/results/<file>.json]
import { readFileSync, writeFileSync } from "node:fs";
import type { Chain } from "../src/core/chain.js";
import { FakePromptCache, promptTokensOf } from "../test/support/fake-prompt-cache.js";
import { createFakeRfpModel } from "../test/support/fake-rfp-model.js";
import type { FakeReply } from "../test/support/fake-openai-server.js";
import { createHarness } from "../test/support/runner-harness.js";
import { encode } from "gpt-tokenizer/encoding/o200k_base";

const PRICE = { input: 0.15, cachedInput: 0.075, output: 0.6 }; // gpt-4o-mini, USD per million tokens
const CHAINS = ["solution-brief", "incident-response", "iac-review", "rfp-response"] as const;

type ChatBody = { messages: Array<{ role: string; content: string }>; response_format?: { json_schema?: { name?: string } } };

const readJson = (path: string): unknown => JSON.parse(readFileSync(new URL(path, import.meta.url), "utf8"));
const outputTokens = (text: string): number => encode(text, { disallowedSpecial: new Set() }).length;

interface ChainFigures {
  chain: string;
  status: string;
  modelCalls: number;
  promptTokens: number;
  cachedTokens: number;
  outputTokens: number;
  costUsd: number;
}

async function measure(chainId: string, input: unknown, answer: (body: ChatBody) => FakeReply): Promise<ChainFigures & { prompts: ChatBody[] }> {
  const chain = (await import(`../chains/${chainId}/index.ts`)) as { default: Chain };
  const harness = await createHarness([chain.default]);
  const cache = new FakePromptCache();
  const figures = { promptTokens: 0, cachedTokens: 0, outputTokens: 0 };
  harness.server.setFallback((body) => {
    const reply = answer(body as ChatBody);
    if (reply.kind !== "json") return reply;
    const completion = outputTokens(JSON.stringify(reply.value));
    const usage = cache.usageFor(body, completion);
    figures.promptTokens += usage.prompt_tokens;
    figures.cachedTokens += usage.prompt_tokens_details?.cached_tokens ?? 0;
    figures.outputTokens += completion;
    return { ...reply, usage };
  });
  try {
    const { runId } = await harness.runner.start(chainId, input, { startedBy: "bench" });
    const run = await harness.runner.settled(runId);
    const costUsd =
      ((figures.promptTokens - figures.cachedTokens) * PRICE.input + figures.cachedTokens * PRICE.cachedInput + figures.outputTokens * PRICE.output) / 1e6;
    return {
      chain: chainId,
      status: run.status,
      modelCalls: harness.server.requests.length,
      ...figures,
      costUsd,
      prompts: harness.server.requests.map((request) => request.body as ChatBody),
    };
  } finally {
    await harness.close();
  }
}

function fromExamples(chainId: string): (body: ChatBody) => FakeReply {
  const examples = readJson(`../chains/${chainId}/examples.json`) as Record<string, unknown>;
  return (body) => {
    const step = body.response_format?.json_schema?.name ?? "";
    const example = examples[step];
    return example === undefined
      ? { kind: "status", status: 500, body: { error: { message: `no example for ${step}` } } }
      : { kind: "json", value: Array.isArray(example) ? example.at(-1) : example };
  };
}

function alert(index: number, labels: Record<string, string>, summary: string, description: string): Record<string, unknown> {
  return {
    fingerprint: `f${String(index)}`,
    name: "HighErrorRate",
    status: "firing",
    severity: "critical",
    service: labels["service"] ?? "checkout",
    summary,
    description,
    labels: { alertname: "HighErrorRate", ...labels },
    annotations: {},
    runbookUrl: null,
    startsAt: "2026-11-24T12:25:23Z",
    endsAt: null,
    generatorUrl: null,
  };
}

/** The three oversized deliveries of issue 12, as the incident run's input. */
function oversizedInputs(): Array<{ name: string; input: unknown }> {
  const many: Record<string, string> = {};
  for (let index = 0; index < 105_000; index += 1) many[`l${index.toString(36)}`] = "";
  const incident = (alerts: unknown[]) => ({ incidentId: "i_big", source: "alertmanager", title: "HighErrorRate on checkout", alerts, oncall: [] });
  return [
    { name: "one alert with 105,000 labels", input: incident([alert(1, { service: "checkout", ...many }, "5xx above 5%", "checkout 5xx")]) },
    {
      name: "1,000 alerts",
      input: incident(
        Array.from({ length: 1_000 }, (_, index) =>
          alert(
            index,
            { service: `svc-${String(index % 2)}`, instance: `checkout-${String(index)}:8080`, pod: `checkout-7d9f-${String(index)}` },
            `5xx rate above 5% on checkout pod ${String(index)}`,
            `checkout 5xx ratio is 7.3% on instance ${String(index)} over the last 5m`,
          ),
        ),
      ),
    },
    {
      name: "five 10,000-character labels",
      input: incident([
        alert(
          1,
          { service: "checkout", ...Object.fromEntries(Array.from({ length: 5 }, (_, index) => [`long${String(index)}`, "ab".repeat(5_000)])) },
          "5xx above 5%",
          "checkout 5xx",
        ),
      ]),
    },
  ];
}

const out = process.argv.includes("--out") ? process.argv[process.argv.indexOf("--out") + 1] : undefined;
const results: ChainFigures[] = [];
for (const chainId of CHAINS) {
  const input = readJson(`../chains/${chainId}/example-input.json`);
  const answer =
    chainId === "rfp-response"
      ? (
          (model) => (body: ChatBody) =>
            model.reply(body)
        )(createFakeRfpModel())
      : fromExamples(chainId);
  const { prompts: _prompts, ...figures } = await measure(chainId, input, answer);
  results.push(figures);
}
console.log("chain              status             calls  prompt tok  cached tok  output tok  cost (gpt-4o-mini)");
for (const row of results)
  console.log(
    `${row.chain.padEnd(18)} ${row.status.padEnd(18)} ${String(row.modelCalls).padStart(5)}  ${String(row.promptTokens).padStart(10)}  ${String(row.cachedTokens).padStart(10)}  ${String(row.outputTokens).padStart(10)}  $${row.costUsd.toFixed(6)}`,
  );

const oversized: Array<{ delivery: string; classifyPromptBytes: number; classifyPromptTokens: number; status: string }> = [];
for (const { name, input } of oversizedInputs()) {
  const figures = await measure("incident-response", input, fromExamples("incident-response"));
  const classify = figures.prompts[0];
  const bytes = classify ? Buffer.byteLength(JSON.stringify(classify.messages)) : 0;
  oversized.push({ delivery: name, classifyPromptBytes: bytes, classifyPromptTokens: classify ? promptTokensOf(classify).length : 0, status: figures.status });
}
console.log("\noversized delivery                 classify prompt bytes   tokens   run status");
for (const row of oversized)
  console.log(`${row.delivery.padEnd(34)} ${String(row.classifyPromptBytes).padStart(20)}  ${String(row.classifyPromptTokens).padStart(8)}   ${row.status}`);
if (out) writeFileSync(out, JSON.stringify({ node: process.version, date: new Date().toISOString(), chains: results, oversized }, null, 2));
