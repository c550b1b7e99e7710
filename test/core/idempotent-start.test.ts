import { afterEach, describe, expect, it } from "vitest";
import { defineChain, z } from "../../src/chain-api.js";
import { createHarness, type Harness } from "../support/runner-harness.js";

/** `runner.start` with a caller-chosen run id starts one run, however often and from wherever it is asked. */

const chain = defineChain({ id: "one-step", description: "one action", input: z.object({ n: z.number() }) })
  .action("noop", { run: async ({ input }) => ({ seen: input.n }) })
  .build();
let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe("idempotent start", () => {
  it("the same run id from two runners at once and again later gives one run", async () => {
    harness = await createHarness([chain]);
    const second = harness.openSecondRunner();
    const answers = await Promise.all([
      harness.runner.start("one-step", { n: 1 }, { startedBy: "a", runId: "r_i_incident-1" }),
      second.runner.start("one-step", { n: 2 }, { startedBy: "b", runId: "r_i_incident-1" }),
    ]);
    expect(answers.map((answer) => answer.runId)).toEqual(["r_i_incident-1", "r_i_incident-1"]);
    await harness.runner.idle();
    await second.runner.idle();
    expect(await harness.store.listRuns({ limit: 10 })).toHaveLength(1);
    expect((await harness.runner.start("one-step", { n: 3 }, { startedBy: "c", runId: "r_i_incident-1" })).runId).toBe("r_i_incident-1");
    expect(await harness.store.listRuns({ limit: 10 })).toHaveLength(1);
    expect(await harness.store.getSteps("r_i_incident-1")).toHaveLength(1);
  });
});
