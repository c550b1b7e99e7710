// What the Slack guard's shape check (src/slack/payload-shapes.ts) adds to each request: the
// guard's judgement of one body (`judgeSlackBody` with baton's listeners), in a loop, for an
// Approve click and a `/baton run` command, after a warm-up. Compare with the same script at a
// baton without the check to see what the check costs.
//
//   node --import tsx slack-shape-check.ts [--n=200000]

import { performance } from "node:perf_hooks";
import { isHandledSlackRequest } from "../src/slack/handled-requests.js";
import { judgeSlackBody } from "../src/slack/request-rules.js";
import { approveClick, runCommand } from "../test/support/malformed-slack-payloads.js";

const n = Number(/^--n=(\d+)$/.exec(process.argv[2] ?? "")?.[1] ?? 200_000);
const originals = { approvalId: "a_1", channel: "C0RUNS", ts: "1.1", userId: "U0APPROVER", responseUrl: "https://example.invalid/respond" };
const results: Record<string, number> = {};
for (const [name, body] of [
  ["approve_click", approveClick(originals)],
  ["run_command", runCommand(originals)],
] as const) {
  for (let index = 0; index < n / 10; index++) judgeSlackBody(body, isHandledSlackRequest);
  const started = performance.now();
  for (let index = 0; index < n; index++) judgeSlackBody(body, isHandledSlackRequest);
  results[name] = Math.round(((performance.now() - started) * 1000 * 1000) / n) / 1000;
  console.log(`${name}: ${String(results[name])} µs per judgement (n=${String(n)})`);
}
console.log(JSON.stringify({ date: new Date().toISOString(), node: process.version, n, microseconds_per_judgement: results }));
