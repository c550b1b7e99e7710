import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { defineChain } from "../../src/core/chain-builder.js";
import type { AuditEvent } from "../../src/core/ports.js";
import { createHarness, type Harness } from "../support/runner-harness.js";
import { renderRunTimeline } from "../../src/cli/render-run.js";

/**
 * Prompt versions through the real runner, the real openai client and a fake server: every
 * model.call audit entry carries a fingerprint of what shapes the answer apart from the run's
 * data (system prompt, schema, model, temperature), so a chain change shows as a new version.
 */

const Answer = z.object({ summary: z.string().min(3) });

function chainWith(options: { system?: string; temperature?: number; model?: string; output?: z.ZodType } = {}) {
  return defineChain({ id: "versioned", description: "test", input: z.object({ alert: z.string() }) })
    .llm("classify", {
      system: options.system ?? "You classify alerts.",
      user: ({ input }) => `Alert: ${input.alert}`,
      output: options.output ?? Answer,
      ...(options.temperature === undefined ? {} : { temperature: options.temperature }),
      ...(options.model === undefined ? {} : { model: options.model }),
    })
    .build();
}

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

async function versionsOf(chain: ReturnType<typeof chainWith>, alerts: ReadonlyArray<string>): Promise<{ versions: string[]; events: AuditEvent[][] }> {
  harness = await createHarness([chain]);
  const versions: string[] = [];
  const events: AuditEvent[][] = [];
  for (const alert of alerts) {
    harness.server.enqueue({ kind: "json", value: { summary: "disk is full" } });
    const { runId } = await harness.runner.start("versioned", { alert }, { startedBy: "tester" });
    expect((await harness.runner.settled(runId)).status).toBe("succeeded");
    const runEvents = await harness.store.listEvents(runId);
    events.push(runEvents);
    const call = runEvents.find((event) => event.type === "model.call");
    versions.push(String(call?.data["promptVersion"]));
  }
  await harness.close();
  harness = undefined;
  return { versions, events };
}

describe("prompt versions", () => {
  it("are the same for two runs on different data, and recorded on each model.call", async () => {
    const { versions } = await versionsOf(chainWith(), ["disk full on db-1", "p99 latency on checkout"]);
    expect(versions[0]).toMatch(/^pv-[0-9a-f]{12}$/);
    expect(versions[1]).toBe(versions[0]);
  });

  it("change when the system prompt, the output schema, the model or the temperature changes", async () => {
    const [base] = (await versionsOf(chainWith(), ["disk full"])).versions;
    const changed = [
      (await versionsOf(chainWith({ system: "You classify alerts. Be brief." }), ["disk full"])).versions[0],
      (await versionsOf(chainWith({ output: z.object({ summary: z.string().min(3), service: z.string().optional() }) }), ["disk full"])).versions[0],
      (await versionsOf(chainWith({ model: "gpt-4o" }), ["disk full"])).versions[0],
      (await versionsOf(chainWith({ temperature: 0.7 }), ["disk full"])).versions[0],
    ];
    expect(new Set([base, ...changed]).size).toBe(5);
  });

  it("show in baton show's model calls", async () => {
    const chain = chainWith();
    const { versions, events } = await versionsOf(chain, ["disk full"]);
    harness = await createHarness([chain]);
    harness.server.enqueue({ kind: "json", value: { summary: "disk is full" } });
    const { runId } = await harness.runner.start("versioned", { alert: "disk full" }, { startedBy: "tester" });
    const run = await harness.runner.settled(runId);
    const text = renderRunTimeline({
      run,
      chain: chain.definition,
      steps: await harness.store.getSteps(runId),
      approvals: [],
      events: await harness.store.listEvents(runId),
    });
    expect(text).toMatch(new RegExp(`classify\\s+gpt-4o-mini\\s+#1\\s+${versions[0] ?? "?"}\\s+valid`));
    expect(events[0]?.find((event) => event.type === "model.call")?.data).toMatchObject({ promptVersion: versions[0], outcome: "valid" });
  });
});
