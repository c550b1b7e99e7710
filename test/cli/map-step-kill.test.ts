import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import { openSqliteStore } from "../../src/store/open-database.js";
import { createFakeRfpModel } from "../support/fake-rfp-model.js";
import { runCli, startCli, type CliProcess } from "../support/cli-process.js";
import { startFakeOpenAiServer, type FakeOpenAiServer } from "../support/fake-openai-server.js";
import { generateRfp } from "../support/rfp-fixture.js";
import { makeTempDirectory } from "../support/temp-directory.js";

/**
 * The RFP chain's map step under SIGKILL: `baton run rfp-response` is killed while chunks are
 * being extracted; `baton resume` finishes the run and asks the model only for the chunks that
 * were not answered before the kill.
 */

let directory: ReturnType<typeof makeTempDirectory>;
let server: FakeOpenAiServer;
const children: CliProcess[] = [];

beforeEach(async () => {
  directory = makeTempDirectory();
  server = await startFakeOpenAiServer();
});
afterEach(async () => {
  for (const child of children) child.child.kill("SIGKILL");
  await server.close();
  directory.remove();
});

const partOf = (body: unknown): string | undefined => /Part (\d+) of \d+/.exec(JSON.stringify(body))?.[1];

it("a run killed in the middle of its map step resumes without asking again for the chunks already answered", async () => {
  const model = createFakeRfpModel();
  // The first process answers chunks 1-6, then its calls hang (it is killed meanwhile).
  let answered = 0;
  let hang = true;
  server.setFallback((body) => {
    if (partOf(body) !== undefined && hang) {
      answered += 1;
      if (answered > 6) return { kind: "hang" };
    }
    return model.reply(body);
  });
  const environment = {
    BATON_DB: join(directory.path, "baton.db"),
    OPENAI_API_KEY: "test-key",
    OPENAI_BASE_URL: `${server.url}/v1`,
    BATON_MODEL_MAX_RETRIES: "0",
  };
  const rfpPath = join(directory.path, "rfp.md");
  writeFileSync(rfpPath, generateRfp().markdown);

  const first = startCli(["run", "rfp-response", "--input", rfpPath, "--no-wait"], environment);
  children.push(first);
  const deadline = Date.now() + 30_000;
  // Four items in flight: six answered, then four hang.
  while (server.requests.filter((request) => partOf(request.body) !== undefined).length < 10 && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 20));
  await new Promise((resolve) => setTimeout(resolve, 200));
  first.child.kill("SIGKILL");
  await first.exited;
  const askedBefore = server.requests.map((request) => partOf(request.body)).filter((part): part is string => part !== undefined);
  expect(askedBefore).toHaveLength(10);

  hang = false;
  const resumed = await runCli(["resume"], environment);
  expect(resumed.code).toBe(0);
  const store = openSqliteStore(environment.BATON_DB);
  try {
    const [run] = await store.listRuns({ limit: 1 });
    expect(run?.status).toBe("awaiting_approval");
    const chunks = ((await store.getSteps(run?.id ?? "")).find((step) => step.stepId === "chunk")?.output as { chunks: unknown[] }).chunks;
    const asked = server.requests.map((request) => partOf(request.body)).filter((part): part is string => part !== undefined);
    // Every chunk was answered; the six answered before the kill were not asked again, the four
    // in flight were asked once more.
    const counts = new Map<string, number>();
    for (const part of asked) counts.set(part, (counts.get(part) ?? 0) + 1);
    expect(counts.size).toBe(chunks.length);
    const answeredFirst = askedBefore.slice(0, 6);
    for (const part of answeredFirst) expect(counts.get(part), `chunk ${part}`).toBe(1);
    expect(asked.length).toBe(chunks.length + 4);
    const events = await store.listEvents(run?.id ?? "");
    expect(events.some((event) => event.type === "run.recovered")).toBe(true);
  } finally {
    store.close();
  }
}, 90_000);
