import { rmSync } from "node:fs";
import { openSqliteStore } from "../../src/store/index.js";
const path = "/tmp/exp/spikes.db";
for (const s of ["", "-wal", "-shm"]) rmSync(path + s, { force: true });
const extra = process.argv[2];
const store = openSqliteStore(path);
if (extra) (store as unknown as { database: { pragma(s: string): unknown } }).database.pragma(extra);
const out = { text: "x ".repeat(400), list: Array.from({ length: 20 }, (_, i) => `item ${i}`) };
const owner = "o"; const slow: string[] = []; let total = 0; let count = 0;
for (let i = 0; i < 3000; i++) {
  const id = `r_${String(i).padStart(8, "0")}`;
  await store.createRun({ id, chainId: "c", stepCount: 4, input: { a: 1 }, startedBy: "u", origin: null, at: 1, leaseOwner: owner, leaseExpiresAt: 2 }, [{ runId: id, at: 1, type: "run.started", stepId: null, actor: "system", data: {} }]);
  for (let c = 0; c < 4; c++) {
    const t = performance.now();
    await store.commitStep({ guard: { runId: id, owner, cursor: c }, step: { runId: id, stepIndex: c, stepId: `s${c}`, status: "succeeded", output: out, startedAt: 1, finishedAt: 2, executions: 1, usage: { modelCalls: 1, inputTokens: 1, outputTokens: 1, costUsd: 0.1 } }, nextStatus: c === 3 ? "succeeded" : "running", at: 3, events: [{ runId: id, at: 3, type: "model.call", stepId: `s${c}`, actor: "system", data: { a: 1 } }, { runId: id, at: 3, type: "step.finished", stepId: `s${c}`, actor: "system", data: { b: 2 } }] });
    const dt = (performance.now() - t) * 1000; total += dt; count++;
    if (dt > 700) slow.push(`${count}:${Math.round(dt)}`);
  }
}
store.close();
console.log(extra ?? "default", "mean", (total / count).toFixed(1), "slow>0.7ms:", slow.length, "sum of slow ms:", slow.reduce((s, x) => s + Number(x.split(":")[1]), 0) / 1000, slow.slice(0, 30).join(" "));
