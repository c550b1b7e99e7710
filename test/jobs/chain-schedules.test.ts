import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
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
  // The second schedule's input was written for an older input schema.
  schedules: [
    { cron: "0 2 * * *", input: { scope: "all services" }, timezone: "Europe/Berlin" },
    { cron: "*/5 * * * *", input: { wrong: true } },
  ],
})
  .llm("summarise", { system: "STEP:summarise", user: ({ input }) => input.scope, output: z.object({ summary: z.string() }) })
  .build();

const minutely = defineChain({
  id: "minutely",
  description: "every minute",
  input: z.object({ n: z.number() }),
  schedules: [{ cron: "* * * * *", input: { n: 1 }, timezone: "UTC" }],
})
  .action("count", { run: async ({ input }) => ({ counted: input.n }) })
  .build();

const errors: Array<{ fields: Record<string, unknown>; message: string }> = [];
const logger: Logger = { debug() {}, info() {}, warn() {}, error: (fields, message) => void errors.push({ fields, message }) };
let harness: Harness | undefined;
const states: SqliteState[] = [];
afterEach(async () => {
  vi.useRealTimers();
  for (const state of states.splice(0)) state.close();
  await harness?.close();
  harness = undefined;
  errors.length = 0;
});

/** The job as another process would run it: its own connection to the same SQLite file. */
function schedulesOn(
  databasePath: string,
  runner: Harness["runner"],
  chains = new ChainRegistry([nightly]),
): { schedules: ChainSchedules; state: SqliteState } {
  const state = openSqliteState(databasePath);
  states.push(state);
  return { schedules: new ChainSchedules({ runner, chains, ledger: state.ledger, clock: { now: () => Date.now() }, logger }), state };
}

describe("ChainSchedules", () => {
  it("a firing starts one run with a cron origin; the same slot from a second process starts nothing", async () => {
    harness = await createHarness([nightly]);
    harness.server.setFallback(() => ({ kind: "json", value: { summary: "all green" } }));
    const second = harness.openSecondRunner();
    const slot = Date.UTC(2026, 10, 24, 1, 0, 20);
    // The second replica fires 30 s later in the same minute.
    const started = await Promise.all([
      schedulesOn(harness.databasePath, harness.runner).schedules.fire("nightly-report", 0, slot),
      schedulesOn(harness.databasePath, second.runner).schedules.fire("nightly-report", 0, slot + 30_000),
    ]);
    const runIds = started.filter((runId) => runId !== undefined);
    expect(runIds).toHaveLength(1);
    const run = await harness.runner.settled(runIds[0] as string);
    expect(run).toMatchObject({ status: "succeeded", chainId: "nightly-report", startedBy: "schedule", input: { scope: "all services" } });
    expect(run.origin).toEqual({ source: "cron", reference: { cron: "0 2 * * *", chainId: "nightly-report" } });
    expect(await harness.store.listRuns({ chainId: "nightly-report", limit: 10 })).toHaveLength(1);
    // The next minute is another slot.
    expect(await schedulesOn(harness.databasePath, harness.runner).schedules.fire("nightly-report", 0, slot + 60_000)).toBeDefined();
  });

  it("a schedule whose input no longer fits is logged with the chain, starts nothing, and crashes nothing", async () => {
    harness = await createHarness([nightly]);
    harness.server.setFallback(() => ({ kind: "json", value: { summary: "all green" } }));
    const { schedules } = schedulesOn(harness.databasePath, harness.runner);
    expect(await schedules.fire("nightly-report", 1, Date.now())).toBeUndefined();
    expect(errors).toEqual([
      {
        fields: expect.objectContaining({ chainId: "nightly-report", scheduleIndex: 1, cron: "*/5 * * * *" }),
        message: expect.stringContaining("fixed input no longer fits"),
      },
    ]);
    expect(await harness.store.listRuns({ chainId: "nightly-report", limit: 10 })).toEqual([]);
    expect(await schedules.fire("nightly-report", 0, Date.now())).toBeDefined();
  });

  it("node-cron fires at the slot it matched, and stop() stops it", async () => {
    harness = await createHarness([minutely]);
    const { schedules, state } = schedulesOn(harness.databasePath, harness.runner, new ChainRegistry([minutely]));
    const nextMinute = Date.UTC(2026, 10, 24, 9, 1, 0);
    // Only timeouts and Date: node-cron's heartbeat is a setTimeout; the runner's own timers stay real.
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"], now: nextMinute - 1_500 });
    const stop = schedules.start();
    await vi.advanceTimersByTimeAsync(2_000);
    stop();
    // A further minute after stop() starts nothing.
    await vi.advanceTimersByTimeAsync(60_000);
    vi.useRealTimers();
    expect(await state.ledger.getMessage(`schedule:minutely:0:${String(nextMinute)}`)).toBeDefined();
    expect(await state.ledger.getMessage(`schedule:minutely:0:${String(nextMinute + 60_000)}`)).toBeUndefined();
    const waitUntil = Date.now() + 3_000;
    let runs = await harness.store.listRuns({ chainId: "minutely", limit: 10 });
    while (runs[0]?.status !== "succeeded" && Date.now() < waitUntil) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      runs = await harness.store.listRuns({ chainId: "minutely", limit: 10 });
    }
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({
      status: "succeeded",
      startedBy: "schedule",
      origin: { source: "cron", reference: { cron: "* * * * *", chainId: "minutely" } },
    });
    expect(errors).toEqual([]);
  });

  it("an invalid cron expression, a schedule firing more than once a minute, or an unknown time zone is refused at start, naming the chain and the fix", () => {
    const directory = makeTempDirectory();
    const state = openSqliteState(join(directory.path, "baton.db"));
    try {
      const build = (schedule: { cron: string; timezone?: string }): ChainSchedules =>
        new ChainSchedules({
          // Never called: start() refuses before anything fires.
          runner: { start: async () => ({ runId: "r_never" }) },
          chains: new ChainRegistry([
            minutely,
            defineChain({ id: "bad", description: "x", input: z.object({}), schedules: [{ ...schedule, input: {} }] })
              .action("noop", { run: async () => ({}) })
              .build(),
          ]),
          ledger: state.ledger,
          clock: { now: () => 0 },
          logger,
        });
      const refused = (schedule: { cron: string; timezone?: string }): BatonError => {
        try {
          build(schedule).start()();
        } catch (error) {
          if (error instanceof BatonError) return error;
          throw error;
        }
        throw new Error(`expected CHAIN_INVALID for ${JSON.stringify(schedule)}`);
      };
      expect(refused({ cron: "every monday" })).toMatchObject({
        code: "CHAIN_INVALID",
        message: expect.stringMatching(
          /^Chain "bad" has the schedule "every monday", which is not a cron expression\. Use node-cron syntax such as "0 9 \* \* 1-5"/,
        ),
      });
      expect(refused({ cron: "61 * * * *" }).code).toBe("CHAIN_INVALID");
      expect(refused({ cron: "*/10 * * * * *" })).toMatchObject({
        code: "CHAIN_INVALID",
        message: expect.stringContaining("fires more than once a minute. Scheduled runs start at most once a minute: use five fields"),
      });
      expect(refused({ cron: "0 9 * * 1", timezone: "Mars/Olympus" })).toMatchObject({
        code: "CHAIN_INVALID",
        message: expect.stringMatching(/Chain "bad" .* "0 9 \* \* 1" in the time zone "Mars\/Olympus".*IANA name such as "Europe\/Berlin"/),
      });
      // Valid, seconds included as long as it fires once a minute.
      build({ cron: "30 0 9 * * 1", timezone: "Europe/Berlin" }).start()();
    } finally {
      state.close();
      directory.remove();
    }
  });
});
