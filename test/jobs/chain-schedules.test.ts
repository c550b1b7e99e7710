import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { defineChain, z } from "../../src/chain-api.js";
import { ChainRegistry } from "../../src/core/chain-registry.js";
import { BatonError } from "../../src/core/errors.js";
import type { Logger } from "../../src/core/ports.js";
import { ChainSchedules } from "../../src/jobs/chain-schedules.js";
import { openSqliteState, type SqliteState } from "../../src/store/index.js";
import { createHarness, type Harness } from "../support/runner-harness.js";
import { makeTempDirectory } from "../support/temp-directory.js";

/** Chains started on their cron schedules: one run per slot across processes; bad schedules refused. */

const nightly = defineChain({
  id: "nightly-report",
  description: "a scheduled chain",
  input: z.object({ scope: z.string() }),
  schedules: [{ cron: "0 2 * * *", input: { scope: "all services" }, timezone: "Europe/Berlin" }, { cron: "*/5 * * * *", input: { wrong: true } }],
})
  .llm("summarise", { system: "STEP:summarise", user: ({ input }) => input.scope, output: z.object({ summary: z.string() }) })
  .build();

const errors: Array<{ fields: Record<string, unknown>; message: string }> = [];
const logger: Logger = { debug() {}, info() {}, warn() {}, error: (fields, message) => void errors.push({ fields, message }) };
let harness: Harness | undefined;
const states: SqliteState[] = [];
afterEach(async () => {
  for (const state of states.splice(0)) state.close();
  await harness?.close();
  harness = undefined;
  errors.length = 0;
});

function schedulesOn(databasePath: string, runner: Harness["runner"]): ChainSchedules {
  const state = openSqliteState(databasePath);
  states.push(state);
  return new ChainSchedules({ runner, chains: new ChainRegistry([nightly]), ledger: state.ledger, clock: { now: () => Date.now() }, logger });
}

describe("ChainSchedules", () => {
  it("a firing starts one run with a cron origin; the same slot from a second process starts nothing", async () => {
    harness = await createHarness([nightly]);
    harness.server.setFallback(() => ({ kind: "json", value: { summary: "all green" } }));
    const slot = Date.UTC(2026, 10, 24, 1, 0, 20);
    const [first, second] = await Promise.all([schedulesOn(harness.databasePath, harness.runner).fire("nightly-report", 0, slot), schedulesOn(harness.databasePath, harness.runner).fire("nightly-report", 0, slot + 30_000)]);
    const started = [first, second].filter((runId) => runId !== undefined);
    expect(started).toHaveLength(1);
    const run = await harness.runner.settled(started[0] as string);
    expect(run.status).toBe("succeeded");
    expect(run.startedBy).toBe("schedule");
    expect(run.origin).toEqual({ source: "cron", reference: { cron: "0 2 * * *", chainId: "nightly-report" } });
    expect(await schedulesOn(harness.databasePath, harness.runner).fire("nightly-report", 0, slot + 60_000)).toBeDefined();
  });

  it("a schedule whose input no longer fits is logged with the chain, and nothing crashes", async () => {
    harness = await createHarness([nightly]);
    expect(await schedulesOn(harness.databasePath, harness.runner).fire("nightly-report", 1, Date.now())).toBeUndefined();
    expect(errors[0]?.fields).toMatchObject({ chainId: "nightly-report", cron: "*/5 * * * *" });
    expect(errors[0]?.message).toContain("fixed input no longer fits");
  });

  it("an invalid cron expression or time zone is refused at start, naming the chain and the fix", () => {
    const directory = makeTempDirectory();
    const state = openSqliteState(join(directory.path, "b.db"));
    states.push(state);
    const build = (schedule: { cron: string; timezone?: string }) =>
      new ChainSchedules({
        runner: { start: async () => ({ runId: "r_x" }) },
        chains: new ChainRegistry([defineChain({ id: "bad", description: "x", input: z.object({}), schedules: [{ ...schedule, input: {} }] }).action("noop", { run: async () => ({}) }).build()]),
        ledger: state.ledger,
        clock: { now: () => 0 },
        logger,
      });
    const refused = (schedule: { cron: string; timezone?: string }): BatonError => {
      try {
        build(schedule).start()();
      } catch (error) {
        if (error instanceof BatonError) return error;
      }
      throw new Error("expected CHAIN_INVALID");
    };
    expect(refused({ cron: "every monday" })).toMatchObject({ code: "CHAIN_INVALID", message: expect.stringContaining('Chain "bad" has the schedule "every monday"') });
    expect(refused({ cron: "0 9 * * 1", timezone: "Mars/Olympus" }).message).toContain("IANA name");
    const stop = build({ cron: "0 9 * * 1", timezone: "Europe/Berlin" }).start();
    stop();
    states.splice(states.indexOf(state), 1);
    state.close();
    directory.remove();
  });
});
