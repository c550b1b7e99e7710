import type { Command } from "commander";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, sep } from "node:path";
import type { Actor } from "../core/approval-rules.js";
import { BatonError } from "../core/errors.js";
import type { ChainDefinition } from "../core/chain.js";
import type { RunRecord, StepRecord } from "../core/ports.js";
import { SCRIPTED_MODEL, type Runtime } from "../runtime/compose.js";
import type { CliContext } from "./program.js";
import { withRuntime } from "./with-runtime.js";

/**
 * `baton test [chain]`: each chain end to end on the scripted model, which answers every model
 * step with the chain's `examples.json`, starting from its `example-input.json` and approving
 * every approval. A chain author learns that the examples still fit the schemas and `check`s,
 * and that the actions run, without Slack, a key, or touching the real database.
 */

/** Who approves in a test: recorded on the (throwaway) approvals. */
const TEST_ACTOR: Actor = { id: "cli:baton-test", trusted: true };

/** A chain has more approvals than this only if approving never lets it finish (a loop). */
const MAX_APPROVALS = 50;

interface ChainOutcome {
  chainId: string;
  /** null when the chain passed. */
  problem: string | null;
}

/** The chains to test: the one named, else the user's (BATON_CHAINS_DIR), else every chain. */
function chainsToTest(runtime: Runtime, chainId: string | undefined): string[] {
  if (chainId !== undefined) {
    if (!runtime.chains.has(chainId))
      throw new BatonError("CHAIN_NOT_FOUND", `There is no chain "${chainId}". List them with \`baton chains\` (is BATON_CHAINS_DIR set?).`, { chainId });
    return [chainId];
  }
  const userFolders = runtime.loaded.directories.filter((directory) => !directory.shipped).map((directory) => directory.path + sep);
  const all = runtime.chains.list().map((chain) => chain.id);
  const users = all.filter((id) => userFolders.some((folder) => (runtime.loaded.files[id] ?? "").startsWith(folder)));
  return users.length > 0 ? users : all;
}

function describeFailure(run: RunRecord): string {
  const where = run.error?.stepId === undefined ? "" : `step "${run.error.stepId}": `;
  return `${where}[${run.error?.code ?? "unknown"}] ${run.error?.message ?? "the run failed"}`;
}

/**
 * Each model step's `check` on the answer the run used. The runner skips checks for scripted
 * answers (they are examples, not answers to the run's input: docs/model-servers.md), but here
 * the example answers and the example input belong together, so a check that fails is a
 * mistake in the chain or its examples. Steps of a map step (one answer per item) are not checked.
 */
function checkProblem(chain: ChainDefinition, run: RunRecord, steps: ReadonlyArray<StepRecord>): string | null {
  const outputs: Record<string, unknown> = {};
  for (const record of [...steps].sort((left, right) => left.stepIndex - right.stepIndex)) {
    const step = chain.steps[record.stepIndex];
    if (step?.kind === "llm" && step.check !== undefined && record.status === "succeeded") {
      const context = { input: run.input, outputs: { ...outputs }, run: { id: run.id, chainId: run.chainId, startedBy: run.startedBy }, feedback: [] };
      const problems = step.check(record.output, context).map((problem) => (typeof problem === "string" ? problem : `${problem.path}: ${problem.message}`));
      if (problems.length > 0)
        return `step "${record.stepId}": its example answer fails the step's check:\n  - ${problems.join("\n  - ")}\nFix the answer in examples.json (it must fit example-input.json), or the check.`;
    }
    outputs[record.stepId] = record.status === "skipped" ? undefined : record.output;
  }
  return null;
}

async function testChain(runtime: Runtime, chainId: string): Promise<ChainOutcome> {
  const input = runtime.loaded.exampleInputs[chainId];
  if (input === undefined) return { chainId, problem: `it has no example-input.json. Add one beside ${runtime.loaded.files[chainId] ?? "its index.ts"}.` };
  let runId: string;
  try {
    ({ runId } = await runtime.runner.start(chainId, input, { startedBy: TEST_ACTOR.id, origin: { source: "cli" } }));
  } catch (error) {
    if (error instanceof BatonError) return { chainId, problem: `its example-input.json was refused: [${error.code}] ${error.message}` };
    throw error;
  }
  for (let approvals = 0; approvals <= MAX_APPROVALS; approvals += 1) {
    const run = await runtime.runner.settled(runId);
    if (run.status === "succeeded" || run.status === "failed") {
      const checked = checkProblem(runtime.chains.get(chainId), run, await runtime.store.getSteps(runId));
      if (checked !== null) return { chainId, problem: checked };
    }
    if (run.status === "succeeded") return { chainId, problem: null };
    if (run.status === "failed") return { chainId, problem: describeFailure(run) };
    if (run.status !== "awaiting_approval") {
      const retry = await runtime.store.getRetry(runId);
      const why = retry ? `step "${retry.stepId}" is waiting to retry after an error` : `it ended ${run.status}`;
      return { chainId, problem: `${why}, not succeeded. See the run with BATON_MODEL=scripted baton run ${chainId}.` };
    }
    const [approval] = await runtime.store.listApprovals({ runId, statuses: ["pending"], limit: 1 });
    if (!approval) return { chainId, problem: "it waits for an approval that cannot be found" };
    await runtime.runner.decide(approval.id, { kind: "approve" }, TEST_ACTOR);
  }
  return { chainId, problem: `it asked for more than ${String(MAX_APPROVALS)} approvals: does a step loop back to itself?` };
}

export function registerTestCommand(program: Command, context: CliContext): void {
  program
    .command("test")
    .description("Run each chain (or one) end to end on its examples.json and example-input.json, approving every approval; no Slack, no key")
    .argument("[chain]", "only this chain (default: the chains in BATON_CHAINS_DIR, or all)")
    .action(async (chainId: string | undefined) => {
      // A throwaway database, so a test never mixes with (or waits on) real runs.
      const folder = mkdtempSync(join(tmpdir(), "baton-test-"));
      const environment = { ...context.environment, BATON_MODEL: SCRIPTED_MODEL, BATON_DB: join(folder, "baton.db") };
      try {
        const outcomes = await withRuntime({ ...context, environment }, "execute", async (runtime) => {
          const results: ChainOutcome[] = [];
          for (const id of chainsToTest(runtime, chainId)) {
            const outcome = await testChain(runtime, id);
            context.io.write(outcome.problem === null ? `✓ ${id}` : `✗ ${id}: ${outcome.problem}`);
            results.push(outcome);
          }
          return results;
        });
        const failed = outcomes.filter((outcome) => outcome.problem !== null);
        context.io.write(
          failed.length === 0
            ? `\n${String(outcomes.length)} chain(s) passed.`
            : `\n${String(failed.length)} of ${String(outcomes.length)} chain(s) failed. Fix the example answer (examples.json), the schema or check, or the action named above.`,
        );
        if (failed.length > 0) process.exitCode = 1;
      } finally {
        rmSync(folder, { recursive: true, force: true });
      }
    });
}
