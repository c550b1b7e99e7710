import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ChainStore, StepRecord } from "../../src/core/ports.js";
import { openSqliteStore } from "../../src/store/open-database.js";
import { runCli, startCli, type CliProcess } from "../support/cli-process.js";
import { startEffectReceiver, type EffectReceiver } from "../support/effect-receiver.js";
import { startFakeOpenAiServer, type FakeOpenAiServer, type FakeReply } from "../support/fake-openai-server.js";
import { makeTempDirectory } from "../support/temp-directory.js";

/**
 * Crash recovery for real: `baton` child processes are killed with SIGKILL in the middle of a
 * chain and while a run waits for approval; new processes finish every run. No committed step
 * output may be lost or recomputed, and no side effect may happen twice.
 */

type ChatBody = { messages: Array<{ role: string; content: string }> };
const stepOf = (body: unknown): string => /^STEP:(\w+)/.exec((body as ChatBody).messages[0]?.content ?? "")?.[1] ?? "unknown";

describe("crash recovery with SIGKILL", () => {
  let directory: ReturnType<typeof makeTempDirectory>;
  let server: FakeOpenAiServer;
  let effects: EffectReceiver;
  let environment: Record<string, string>;
  let inputPath: string;
  let hangAnalyse: boolean;
  let store: ChainStore | undefined;
  const children: CliProcess[] = [];

  beforeEach(async () => {
    directory = makeTempDirectory();
    server = await startFakeOpenAiServer();
    effects = await startEffectReceiver();
    hangAnalyse = true;
    server.setFallback((body): FakeReply => {
      const step = stepOf(body);
      if (step === "collect") return { kind: "json", value: { facts: ["error rate 12%", "deploy 41 at 10:02"] } };
      if (step === "analyse") return hangAnalyse ? { kind: "hang" } : { kind: "json", value: { cause: "deploy 41 broke the payment client" } };
      if (step === "propose") return { kind: "json", value: { plan: "roll back to deploy 40" } };
      return { kind: "status", status: 400, body: { error: { message: `unexpected step ${step}` } } };
    });
    environment = {
      BATON_DB: join(directory.path, "baton.db"),
      BATON_CHAINS_DIR: "test/fixtures/chains",
      OPENAI_API_KEY: "test-key",
      OPENAI_BASE_URL: `${server.url}/v1`,
      BATON_MODEL_MAX_RETRIES: "0",
    };
    inputPath = join(directory.path, "input.json");
    writeFileSync(inputPath, JSON.stringify({ incident: "checkout 5xx after deploy", effectsUrl: effects.url }));
  });

  afterEach(async () => {
    for (const child of children) child.child.kill("SIGKILL");
    store?.close();
    store = undefined;
    await server.close();
    await effects.close();
    directory.remove();
  });

  const requestsFor = (step: string): number => server.requests.filter((request) => stepOf(request.body) === step).length;

  it("finishes every run after its process is killed mid-chain, repeating only the step that was running", async () => {
    // Three processes, each running one chain, all stuck in the "analyse" model call.
    for (let index = 0; index < 3; index += 1) children.push(startCli(["run", "crash-drill", "--input", inputPath, "--no-wait"], environment));
    const deadline = Date.now() + 30_000;
    while (requestsFor("analyse") < 3 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(requestsFor("analyse")).toBe(3);
    for (const child of children) child.child.kill("SIGKILL");
    await Promise.all(children.map((child) => child.exited));

    store = openSqliteStore(environment["BATON_DB"] ?? "");
    const runs = await store.listRuns({ limit: 10 });
    expect(runs).toHaveLength(3);
    const before = new Map<string, StepRecord[]>();
    for (const run of runs) {
      expect(run).toMatchObject({ status: "running", cursor: 2 });
      const steps = await store.getSteps(run.id);
      expect(steps.map((step) => step.stepId)).toEqual(["collect", "announce"]);
      before.set(run.id, steps);
    }
    expect(effects.deliveries.filter((delivery) => delivery.step === "announce")).toHaveLength(3);

    // A new process picks the runs up (their owners' process ids are dead: no lease wait).
    hangAnalyse = false;
    const resumed = await runCli(["resume"], environment);
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain("Resuming 3 run(s)");
    for (const run of runs) {
      const now = await store.getRun(run.id);
      expect(now?.status).toBe("awaiting_approval");
      const steps = await store.getSteps(run.id);
      // The steps committed before the crash are untouched: same outputs, same times.
      expect(steps.slice(0, 2)).toEqual(before.get(run.id));
      expect((await store.listEvents(run.id)).some((event) => event.type === "run.recovered")).toBe(true);
    }
    // collect was never asked again; analyse was asked once more per run (the step that was running).
    expect(requestsFor("collect")).toBe(3);
    expect(requestsFor("analyse")).toBe(6);

    for (const run of runs) {
      const [approval] = await store.listApprovals({ runId: run.id, statuses: ["pending"], limit: 1 });
      const approved = await runCli(["approve", approval?.id ?? ""], environment);
      expect(approved.code).toBe(0);
      expect((await store.getRun(run.id))?.status).toBe("succeeded");
    }
    // Every side effect happened once per run and step.
    expect(effects.deliveries).toHaveLength(6);
    expect(effects.keys().size).toBe(6);
  }, 90_000);

  it("finishes a run whose process was killed while it waited for approval, and after its effect landed", async () => {
    hangAnalyse = false;
    const interactive = startCli(["run", "crash-drill", "--input", inputPath], environment);
    children.push(interactive);
    await interactive.waitForOutput(/Decide: \[a\]pprove/);
    interactive.child.kill("SIGKILL");
    await interactive.exited;

    store = openSqliteStore(environment["BATON_DB"] ?? "");
    const [run] = await store.listRuns({ limit: 1 });
    expect(run?.status).toBe("awaiting_approval");
    const [approval] = await store.listApprovals({ runId: run?.id ?? "", statuses: ["pending"], limit: 1 });

    // The approving process is killed after the "record" effect reached the receiver, before it
    // could record the result: the worst moment for a duplicate.
    const approving = startCli(["approve", approval?.id ?? ""], environment);
    children.push(approving);
    effects.beforeAnswer = (effect) => {
      if (effect.step === "record") approving.child.kill("SIGKILL");
    };
    await approving.exited;
    effects.beforeAnswer = undefined;
    expect((await store.getRun(run?.id ?? ""))?.status).toBe("running");

    const resumed = await runCli(["resume"], environment);
    expect(resumed.code).toBe(0);
    expect((await store.getRun(run?.id ?? ""))?.status).toBe("succeeded");
    // The effect was sent again with the same idempotency key, so the receiver applied it once.
    const records = effects.deliveries.filter((delivery) => delivery.step === "record");
    expect(records).toHaveLength(2);
    expect(new Set(records.map((record) => record.key)).size).toBe(1);
    // And the approved proposal was used, not recomputed.
    expect(requestsFor("propose")).toBe(1);
    const steps = await store.getSteps(run?.id ?? "");
    expect(steps.map((step) => step.stepId)).toEqual(["collect", "announce", "analyse", "propose", "record"]);
  }, 90_000);
});
