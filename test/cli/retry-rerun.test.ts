import { join } from "node:path";
import { writeFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runCli } from "../support/cli-process.js";
import { startFakeOpenAiServer, type FakeOpenAiServer } from "../support/fake-openai-server.js";
import { shippedChainModel } from "../support/shipped-chain-model.js";
import { makeTempDirectory } from "../support/temp-directory.js";

/** `baton retry` and `baton rerun` as a user runs them: the real CLI in child processes, against a fake OpenAI server. */

const EXAMPLE_INPUT = "chains/solution-brief/example-input.json";

describe("baton retry and baton rerun", () => {
  let directory: ReturnType<typeof makeTempDirectory>;
  let server: FakeOpenAiServer;
  let environment: Record<string, string>;

  beforeEach(async () => {
    directory = makeTempDirectory();
    server = await startFakeOpenAiServer();
    environment = { BATON_DB: join(directory.path, "baton.db"), OPENAI_API_KEY: "sk-test", OPENAI_BASE_URL: `${server.url}/v1`, BATON_MODEL_MAX_RETRIES: "0" };
  });
  afterEach(async () => {
    await server.close();
    directory.remove();
  });

  it("retry continues a failed run from the failed step, spending no model call on the steps before it", async () => {
    const model = shippedChainModel("solution-brief");
    // The model refuses the architecture step once: not a transient fault, so the run fails.
    let refusals = 0;
    server.setFallback((body) => {
      const reply = model.reply(body);
      if (model.asked.at(-1) === "architecture" && refusals === 0) {
        refusals += 1;
        return { kind: "refusal", refusal: "I can't help with that." };
      }
      return reply;
    });
    const failed = await runCli(["run", "solution-brief", "--input", EXAMPLE_INPUT, "--no-wait"], environment);
    expect(failed.stdout).toMatch(/failed with error \[MODEL_REFUSED\]/);
    const runId = /Run (r_\S+)/.exec(failed.stdout)?.[1] ?? "";
    expect(model.asked).toEqual(["requirements", "architecture"]);

    const retried = await runCli(["retry", runId, "--as", "ops-lead"], environment);
    expect(retried.stdout).toContain(`Run ${runId} retried by ops-lead`);
    expect(retried.stdout).toMatch(/waiting for approval/);
    // After the failure: architecture again and the rest; requirements was not asked again.
    expect(model.asked).toEqual(["requirements", "architecture", "architecture", "cost-estimate", "business-summary"]);

    const again = await runCli(["retry", runId], environment);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/waiting for an approval; only a failed or finished run can be retried/);

    const shown = await runCli(["show", runId, "--json"], environment);
    const events = (JSON.parse(shown.stdout) as { events: Array<{ type: string; actor: string | null }> }).events;
    expect(events.filter((event) => event.type === "run.retried").map((event) => event.actor)).toEqual(["ops-lead"]);
  });

  it("rerun --from architecture copies requirements, re-asks the rest, and shows the lineage both ways; it refuses unknown steps and inputs that do not fit", async () => {
    const model = shippedChainModel("solution-brief");
    server.setFallback((body) => model.reply(body));
    const first = await runCli(["run", "solution-brief", "--input", EXAMPLE_INPUT, "--no-wait"], environment);
    const parentId = /Run (r_\S+)/.exec(first.stdout)?.[1] ?? "";
    const cancelled = await runCli(["cancel", parentId, "--reason", "try another architecture"], environment);
    expect(cancelled.code).toBe(0);
    model.asked.length = 0;

    const unknown = await runCli(["rerun", parentId, "--from", "design"], environment);
    expect(unknown.stderr).toContain('has no step "design". Its steps are: requirements, architecture, cost-estimate, business-summary, deliver');
    const badInput = join(directory.path, "bad.json");
    writeFileSync(badInput, JSON.stringify({ nothing: true }));
    const rejected = await runCli(["rerun", parentId, "--from", "architecture", "--input", badInput], environment);
    expect(rejected.code).not.toBe(0);
    expect(rejected.stderr).toMatch(/does not fit chain "solution-brief"/);
    expect(model.asked).toEqual([]);

    const rerun = await runCli(["rerun", parentId, "--from", "architecture"], environment);
    const childId = new RegExp(`Run (r_\\S+) re-runs ${parentId} from architecture`).exec(rerun.stdout)?.[1] ?? "";
    expect(childId).not.toBe("");
    expect(model.asked).toEqual(["architecture", "cost-estimate", "business-summary"]);

    const child = JSON.parse((await runCli(["show", childId, "--json"], environment)).stdout) as {
      steps: Array<{ stepId: string; usage: { modelCalls: number } }>;
      lineage: unknown;
    };
    expect(child.steps.map((step) => step.stepId)).toEqual(["requirements", "architecture", "cost-estimate"]);
    expect(child.steps[0]?.usage.modelCalls).toBe(0);
    expect(child.lineage).toEqual({ parent: { runId: parentId, fromStepId: "architecture" }, children: [] });
    const parentView = await runCli(["show", parentId], environment);
    expect(parentView.stdout).toContain(`Re-run as ${childId} from step architecture`);
    const childView = await runCli(["show", childId], environment);
    expect(childView.stdout).toContain(`Re-run of ${parentId} from step architecture`);
  });
});
