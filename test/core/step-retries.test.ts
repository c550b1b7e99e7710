import { describe, expect, it } from "vitest";
import { z } from "zod";
import { defineChain } from "../../src/core/chain-builder.js";
import { isBatonError } from "../../src/core/errors.js";
import { NonRetriableError, RetryableError } from "../../src/core/step-errors.js";
import { StepRetries } from "../../src/jobs/step-retries.js";
import type { FakeReply } from "../support/fake-openai-server.js";
import { createHarness, silentLogger } from "../support/runner-harness.js";

/** A clock the test moves; the store's schedule is read against it. */
function manualClock(start = Date.UTC(2025, 0, 6, 14, 0, 0)) {
  let now = start;
  return {
    now: () => now,
    advance(milliseconds: number) {
      now += milliseconds;
    },
  };
}

/**
 * A server error as OpenAI sends it: HTTP 500 with an `error` object
 * (https://platform.openai.com/docs/guides/error-codes#api-errors: "500 - The server had an error
 * while processing your request").
 */
const serverError: FakeReply = {
  kind: "status",
  status: 500,
  body: { error: { message: "The server had an error while processing your request. Sorry about that!", type: "server_error", param: null, code: null } },
};

const twoModelSteps = defineChain({ id: "two-asks", description: "test", input: z.object({ topic: z.string() }) })
  .llm("first", { system: "s", user: ({ input }) => input.topic, output: z.object({ a: z.number() }) })
  .llm("second", { system: "s", user: ({ outputs }) => String(outputs.first.a), output: z.object({ b: z.number() }) })
  .build();

describe("step retry policies: a run waits out an outage", () => {
  it("a model outage makes the run wait with its next try in the store, and it continues by itself when the server answers", async () => {
    const clock = manualClock();
    const harness = await createHarness([twoModelSteps], { clock }, { maxRetries: 0 });
    const job = new StepRetries({ runner: harness.runner, logger: silentLogger });
    try {
      harness.server.enqueue({ kind: "json", value: { a: 1 } });
      harness.server.setFallback(() => serverError);
      const { runId } = await harness.runner.start("two-asks", { topic: "x" }, { startedBy: "tester" });
      const waiting = await harness.runner.settled(runId);
      expect(waiting.status).toBe("running");
      const retry = await harness.store.getRetry(runId);
      expect(retry).toMatchObject({
        stepId: "second",
        stepIndex: 1,
        attempt: 1,
        waitingFor: "model",
        code: "MODEL_TRANSPORT",
        nextAttemptAt: clock.now() + 10_000,
      });

      // Not due yet: the timer does nothing.
      expect(await job.tick()).toEqual([]);
      clock.advance(10_000);
      expect(await job.tick()).toEqual([runId]);
      await harness.runner.settled(runId);
      expect(await harness.store.getRetry(runId)).toMatchObject({ attempt: 2, nextAttemptAt: clock.now() + 20_000 });

      // The server is healthy again.
      harness.server.setFallback(() => ({ kind: "json", value: { b: 2 } }));
      clock.advance(20_000);
      expect(await job.tick()).toEqual([runId]);
      const done = await harness.runner.settled(runId);
      expect(done.status).toBe("succeeded");
      expect(await harness.store.getRetry(runId)).toBeUndefined();
      const steps = await harness.store.getSteps(runId);
      expect(steps.map((step) => step.output)).toEqual([{ a: 1 }, { b: 2 }]);
      const types = (await harness.store.listEvents(runId)).map((event) => event.type);
      expect(types.filter((type) => type === "step.retry_scheduled")).toHaveLength(2);
      expect(types).not.toContain("step.failed");
    } finally {
      await harness.close();
    }
  });

  it("a restart keeps the schedule: another process does not take the waiting run before its next try, and takes it after", async () => {
    const clock = manualClock();
    const harness = await createHarness([twoModelSteps], { clock }, { maxRetries: 0 });
    try {
      harness.server.setFallback(() => serverError);
      const { runId } = await harness.runner.start("two-asks", { topic: "x" }, { startedBy: "tester" });
      await harness.runner.settled(runId);
      const requestsBefore = harness.server.requests.length;
      await harness.runner.close();

      const second = harness.openSecondRunner();
      expect(await second.runner.recover()).toEqual([]);
      expect(harness.server.requests).toHaveLength(requestsBefore);
      harness.server.setFallback((body) => ({ kind: "json", value: JSON.stringify(body).includes("second") ? { b: 2 } : { a: 1 } }));
      clock.advance(10_000);
      expect(await second.runner.resumeDue()).toEqual([runId]);
      expect((await second.runner.settled(runId)).status).toBe("succeeded");
    } finally {
      await harness.close();
    }
  });

  it("an outage longer than the chain's outageWait fails the run with the last fault", async () => {
    const clock = manualClock();
    const chain = defineChain({ id: "short-wait", description: "test", input: z.object({}), outageWait: "25s" })
      .llm("ask", { system: "s", user: () => "u", output: z.object({ a: z.number() }) })
      .build();
    const harness = await createHarness([chain], { clock }, { maxRetries: 0 });
    try {
      harness.server.setFallback(() => serverError);
      const { runId } = await harness.runner.start("short-wait", {}, { startedBy: "tester" });
      await harness.runner.settled(runId);
      clock.advance(10_000);
      await harness.runner.resumeDue();
      // The next try (20 s later) would be 30 s after the first failure: past the 25 s limit.
      const failed = await harness.runner.settled(runId);
      expect(failed.status).toBe("failed");
      expect(failed.error).toMatchObject({ code: "MODEL_TRANSPORT", stepId: "ask" });
      expect(await harness.store.getRetry(runId)).toBeUndefined();
    } finally {
      await harness.close();
    }
  });

  it("a 400 that will not change is not retried: the run fails at once", async () => {
    const clock = manualClock();
    const harness = await createHarness([twoModelSteps], { clock }, { maxRetries: 0 });
    try {
      // https://platform.openai.com/docs/guides/error-codes: 400 invalid_request_error.
      harness.server.setFallback(() => ({
        kind: "status",
        status: 400,
        body: { error: { message: "Invalid value for 'temperature'.", type: "invalid_request_error", param: "temperature", code: "invalid_value" } },
      }));
      const { runId } = await harness.runner.start("two-asks", { topic: "x" }, { startedBy: "tester" });
      expect((await harness.runner.settled(runId)).status).toBe("failed");
    } finally {
      await harness.close();
    }
  });

  it("an action step's RetryableError honours retryAfter, services.once keeps its side effect single across tries, NonRetriableError fails at once", async () => {
    const clock = manualClock();
    let effects = 0;
    let tries = 0;
    const chain = defineChain({ id: "post", description: "test", input: z.object({}) })
      .action("publish", {
        retry: { attempts: 5, backoff: "1s" },
        run: async (_context, services) => {
          tries += 1;
          const posted = await services.once(async () => {
            effects += 1;
            return { id: "msg-1" };
          });
          if (tries < 3) throw new RetryableError("the API answered 503", { retryAfter: "90s" });
          return posted;
        },
      })
      .action("refuse", {
        run: async () => {
          throw new NonRetriableError("the repository is archived");
        },
      })
      .build();
    const harness = await createHarness([chain], { clock });
    try {
      const { runId } = await harness.runner.start("post", {}, { startedBy: "tester" });
      await harness.runner.settled(runId);
      expect(await harness.store.getRetry(runId)).toMatchObject({ attempt: 1, waitingFor: "service", nextAttemptAt: clock.now() + 90_000 });
      clock.advance(60_000);
      expect(await harness.runner.resumeDue()).toEqual([]);
      clock.advance(30_000);
      expect(await harness.runner.resumeDue()).toEqual([runId]);
      await harness.runner.settled(runId);
      clock.advance(90_000);
      expect(await harness.runner.resumeDue()).toEqual([runId]);
      const run = await harness.runner.settled(runId);
      expect(run.status).toBe("failed");
      expect(run.error).toMatchObject({ stepId: "refuse", message: expect.stringContaining("archived") });
      expect(tries).toBe(3);
      expect(effects).toBe(1);
      expect((await harness.store.getSteps(runId))[0]?.output).toEqual({ id: "msg-1" });
    } finally {
      await harness.close();
    }
  });
});

describe("baton retry and baton rerun, in the runner", () => {
  it("retry continues a failed run from the failed step, spending no model call on the steps before; a second retry and another process's retry apply once", async () => {
    const clock = manualClock();
    const chain = defineChain({ id: "brittle", description: "test", input: z.object({}), outageWait: "1s" })
      .llm("first", { system: "s", user: () => "one", output: z.object({ a: z.number() }) })
      .llm("second", { system: "s", user: () => "two", output: z.object({ b: z.number() }) })
      .build();
    const harness = await createHarness([chain], { clock }, { maxRetries: 0 });
    try {
      harness.server.enqueue({ kind: "json", value: { a: 1 } });
      harness.server.setFallback(() => serverError);
      const { runId } = await harness.runner.start("brittle", {}, { startedBy: "tester" });
      expect((await harness.runner.settled(runId)).status).toBe("failed");
      const callsBefore = harness.server.requests.length;

      harness.server.setFallback(() => ({ kind: "json", value: { b: 2 } }));
      const other = harness.openSecondRunner();
      const results = await Promise.allSettled([
        harness.runner.retry(runId, "U_ALICE"),
        harness.runner.retry(runId, "U_ALICE"),
        other.runner.retry(runId, "U_BOB"),
      ]);
      expect(results.filter((result) => result.status === "fulfilled")).toHaveLength(1);
      for (const result of results) if (result.status === "rejected") expect(isBatonError(result.reason, "RUN_NOT_ACTIVE")).toBe(true);
      await Promise.all([harness.runner.idle(), other.runner.idle()]);
      const run = await harness.store.getRun(runId);
      expect(run?.status).toBe("succeeded");
      const asked = harness.server.requests.slice(callsBefore).map((request) => JSON.stringify(request.body));
      expect(asked).toHaveLength(1);
      expect(asked[0]).toContain("two");
      const retried = (await harness.store.listEvents(runId)).filter((event) => event.type === "run.retried");
      expect(retried).toHaveLength(1);
      expect(["U_ALICE", "U_BOB"]).toContain(retried[0]?.actor);
    } finally {
      await harness.close();
    }
  });

  it("rerun --from copies the outputs before the step, records the lineage both ways, and refuses live runs, unknown steps and bad input", async () => {
    const clock = manualClock();
    const harness = await createHarness([twoModelSteps], { clock }, { maxRetries: 0 });
    try {
      harness.server.enqueue({ kind: "json", value: { a: 1 } }, { kind: "json", value: { b: 2 } });
      const { runId } = await harness.runner.start("two-asks", { topic: "x" }, { startedBy: "tester" });
      expect((await harness.runner.settled(runId)).status).toBe("succeeded");

      await expect(harness.runner.rerun(runId, { fromStepId: "third", actor: "tester" })).rejects.toThrow(/no step "third".*first, second/);
      await expect(harness.runner.rerun(runId, { fromStepId: "second", input: { topic: 3 }, actor: "tester" })).rejects.toMatchObject({
        code: "INPUT_INVALID",
      });

      harness.server.enqueue({ kind: "json", value: { b: 5 } });
      const child = await harness.runner.rerun(runId, { fromStepId: "second", actor: "U_CAROL" });
      const rerun = await harness.runner.settled(child.runId);
      expect(rerun.status).toBe("succeeded");
      const steps = await harness.store.getSteps(child.runId);
      expect(steps.map((step) => step.output)).toEqual([{ a: 1 }, { b: 5 }]);
      expect(steps[0]?.usage.modelCalls).toBe(0);
      expect(await harness.store.getLineage(child.runId)).toEqual({ parent: { runId, fromStepId: "second" }, children: [] });
      expect((await harness.store.getLineage(runId)).children).toEqual([{ runId: child.runId, fromStepId: "second", createdAt: clock.now() }]);

      harness.server.setFallback(() => serverError);
      const live = await harness.runner.rerun(child.runId, { fromStepId: "first", actor: "tester" });
      await harness.runner.settled(live.runId);
      await expect(harness.runner.rerun(live.runId, { fromStepId: "first", actor: "tester" })).rejects.toThrow(/still running/);
      await expect(harness.runner.retry(live.runId, "tester")).rejects.toThrow(/still running/);
    } finally {
      await harness.close();
    }
  });
});
