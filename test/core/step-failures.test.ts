import { describe, expect, it } from "vitest";
import { z } from "zod";
import { defineChain } from "../../src/core/chain-builder.js";
import { createHarness } from "../support/runner-harness.js";

describe("steps whose own code fails", () => {
  it("an action that throws fails the run with the step named and the message kept; earlier outputs stay", async () => {
    const chain = defineChain({ id: "breaks", description: "test", input: z.object({ text: z.string() }) })
      .action("prepare", { run: async ({ input }) => ({ words: input.text.split(" ").length }) })
      .action("deploy", {
        run: async () => {
          throw new Error("kubectl: connection refused");
        },
      })
      .build();
    const harness = await createHarness([chain]);
    try {
      const { runId } = await harness.runner.start("breaks", { text: "a b c" }, { startedBy: "tester" });
      const run = await harness.runner.settled(runId);
      expect(run.status).toBe("failed");
      expect(run.error).toMatchObject({ code: "STEP_FAILED", stepId: "deploy" });
      expect(run.error?.message).toContain("kubectl: connection refused");
      expect((await harness.store.getSteps(runId)).map((step) => step.output)).toEqual([{ words: 3 }]);
      const events = await harness.store.listEvents(runId);
      expect(events.map((event) => event.type)).toEqual(["run.started", "step.finished", "step.failed", "run.finished"]);
    } finally {
      await harness.close();
    }
  });

  it("an action whose result breaks its output schema fails with zod's paths", async () => {
    const chain = defineChain({ id: "typed", description: "test", input: z.object({}) })
      .action("count", { output: z.object({ count: z.number().int() }), run: async () => ({ count: 1.5 }) })
      .build();
    const harness = await createHarness([chain]);
    try {
      const { runId } = await harness.runner.start("typed", {}, { startedBy: "tester" });
      const run = await harness.runner.settled(runId);
      expect(run.status).toBe("failed");
      expect(run.error?.message).toContain("count:");
    } finally {
      await harness.close();
    }
  });

  it("a prompt function that throws fails its step before any model call", async () => {
    const chain = defineChain({ id: "prompt", description: "test", input: z.object({}) })
      .llm("ask", {
        system: "s",
        user: () => {
          throw new TypeError("Cannot read properties of undefined (reading 'severity')");
        },
        output: z.object({ ok: z.boolean() }),
      })
      .build();
    const harness = await createHarness([chain]);
    try {
      const { runId } = await harness.runner.start("prompt", {}, { startedBy: "tester" });
      const run = await harness.runner.settled(runId);
      expect(run.status).toBe("failed");
      expect(run.error).toMatchObject({ code: "STEP_FAILED", stepId: "ask" });
      expect(harness.server.requests).toHaveLength(0);
    } finally {
      await harness.close();
    }
  });
});
