import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runTraceIds } from "../../src/telemetry/run-ids.js";
import { answerBySystemPrompt, APPROVER, PLAN_ANSWER, REQUESTER, SIGNING_SECRET, startBotHarness, type BotHarness } from "../support/bot-harness.js";
import { startFakeGitHubServer, type FakeGitHubServer } from "../support/fake-github-server.js";
import { NETWORK_PATCH, reviewModel } from "../support/iac-review-fixtures.js";
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from "../support/otlp-receiver.js";
import { slashCommand } from "../support/slack-requests.js";

/**
 * Traces over OTLP/HTTP from the whole bot, received by an OTLP/HTTP receiver that decodes what
 * arrives (protobuf by default, JSON when asked): a trace per run with spans for its steps, model
 * calls (GenAI semantic conventions), the approval wait, and the Slack and GitHub calls.
 */

const fixture = (path: string): Buffer => readFileSync(new URL(`../fixtures/${path}`, import.meta.url));
const headers = fixture("github/pull-request-opened.headers.txt").toString("utf8");
const header = (name: string): string => new RegExp(`^${name}: (.*)$`, "mi").exec(headers)?.[1]?.trim() ?? "";
const FIXTURE_HEAD = "3f1e2d4c5b6a79880f1e2d3c4b5a69788f7e6d5c";
const SPAN_KIND_INTERNAL = 1;
const SPAN_KIND_CLIENT = 3;

let receiver: OtlpReceiver;
let github: FakeGitHubServer | undefined;
let harness: BotHarness | undefined;
afterEach(async () => {
  await harness?.close();
  await github?.close();
  await receiver.close();
  harness = undefined;
  github = undefined;
});

const named = (spans: ReadonlyArray<ReceivedSpan>, name: string): ReceivedSpan[] => spans.filter((span) => span.name === name);

describe("OpenTelemetry traces", () => {
  it("a pull request review with an approval: one trace with run, step, model, approval, Slack and GitHub spans (OTLP protobuf)", async () => {
    receiver = await startOtlpReceiver();
    github = await startFakeGitHubServer();
    github.setPullRequest("acme/infra", 42, { headSha: FIXTURE_HEAD, files: [{ path: "network/main.tf", patch: NETWORK_PATCH }] });
    harness = await startBotHarness({
      environment: {
        BATON_CHAINS_DIR: join(import.meta.dirname, "..", "..", "chains"),
        GITHUB_TOKEN: "ghp_test",
        GITHUB_API_URL: github.apiUrl,
        GITHUB_WEBHOOK_SECRET: "test-gh-webhook-secret",
        BATON_SLACK_CHANNEL: "C0INFRA",
        BATON_APPROVERS: "U0PLATFORM",
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_SERVICE_NAME: "baton-test",
      },
    });
    const model = reviewModel();
    // The review's prompt shares a prefix the server cached, reported as OpenAI does (usage.prompt_tokens_details.cached_tokens).
    harness.model.setFallback((body) => {
      const reply = model.reply(body);
      const reviewing = JSON.stringify(body).includes("reviewing a Terraform change");
      return reviewing && reply.kind === "json"
        ? { ...reply, usage: { prompt_tokens: 2_000, completion_tokens: 300, prompt_tokens_details: { cached_tokens: 1_152 } } }
        : reply;
    });
    const delivered = await fetch(`http://127.0.0.1:${String(harness.bot.port)}/webhooks/github`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-github-event": header("X-GitHub-Event"),
        "x-github-delivery": header("X-GitHub-Delivery"),
        "x-hub-signature-256": header("X-Hub-Signature-256"),
      },
      body: fixture("github/pull-request-opened.json"),
    });
    const { runId } = (await delivered.json()) as { runId: string };
    expect((await harness.bot.runtime.runner.settled(runId)).status).toBe("awaiting_approval");
    const [approval] = await harness.bot.runtime.store.listApprovals({ runId, statuses: ["pending"], limit: 1 });
    await harness.slack.waitFor((calls) => calls.some((call) => JSON.stringify(call.args["blocks"] ?? []).includes(approval?.id ?? "?")));
    await harness.clickCard({ actionId: "baton.approve", approvalId: approval?.id ?? "", userId: "U0PLATFORM", responseName: "approve" });
    expect((await harness.bot.runtime.runner.settled(runId)).status).toBe("succeeded");
    await harness.bot.slack.projection.idle();
    // Stopping the bot flushes the batch of spans to the receiver.
    await harness.close();
    harness = undefined;

    expect(receiver.requests.every((request) => request.contentType === "application/x-protobuf")).toBe(true);
    const { traceId, spanId: runSpanId } = runTraceIds(runId);
    const trace = receiver.spans.filter((span) => span.traceId === traceId);
    const [run] = named(trace, "run iac-review");
    expect(run).toMatchObject({ spanId: runSpanId, parentSpanId: "", kind: SPAN_KIND_INTERNAL });
    expect(run?.attributes).toMatchObject({
      "baton.run.id": runId,
      "baton.chain.id": "iac-review",
      "baton.run.status": "succeeded",
      "baton.run.origin": "github",
      "slack.channel.id": "C0INFRA",
    });
    expect(typeof run?.attributes["slack.thread.ts"]).toBe("string");
    expect(run?.resource["service.name"]).toBe("baton-test");

    for (const stepId of ["fetch", "policies", "review", "cross-check", "summary", "review-draft", "post"]) {
      const [step] = named(trace, `step ${stepId}`);
      expect(step?.parentSpanId, stepId).toBe(runSpanId);
      expect(step?.attributes).toMatchObject({ "baton.run.id": runId, "baton.chain.id": "iac-review", "baton.step.id": stepId });
    }

    const modelCalls = trace.filter((span) => span.name.startsWith("chat "));
    expect(modelCalls.length).toBeGreaterThanOrEqual(2);
    const reviewStep = named(trace, "step review")[0];
    const reviewCall = modelCalls.find((span) => span.parentSpanId === reviewStep?.spanId);
    expect(reviewCall).toMatchObject({ name: "chat gpt-4o-mini", kind: SPAN_KIND_CLIENT });
    expect(reviewCall?.attributes).toMatchObject({
      "gen_ai.operation.name": "chat",
      "gen_ai.system": "openai",
      "gen_ai.provider.name": "openai",
      "gen_ai.request.model": "gpt-4o-mini",
      "gen_ai.response.finish_reasons": ["stop"],
      "baton.run.id": runId,
      "baton.step.id": "review",
    });
    // The cached part is a part of the input tokens, as the GenAI conventions define it.
    expect(reviewCall?.attributes["gen_ai.usage.input_tokens"]).toBe(2_000);
    expect(reviewCall?.attributes["gen_ai.usage.cache_read.input_tokens"]).toBe(1_152);
    expect(reviewCall?.attributes["gen_ai.usage.output_tokens"]).toBe(300);
    // A call whose prompt the server did not cache (it reported 0) has no cache attribute.
    const otherCalls = modelCalls.filter((span) => span !== reviewCall);
    expect(otherCalls.length).toBeGreaterThan(0);
    for (const call of otherCalls) {
      expect(call.attributes["gen_ai.usage.input_tokens"]).toBeGreaterThan(0);
      expect(call.attributes).not.toHaveProperty(["gen_ai.usage.cache_read.input_tokens"]);
    }
    expect(typeof reviewCall?.attributes["gen_ai.response.model"]).toBe("string");

    const [wait] = named(trace, "approval review-draft");
    expect(wait?.parentSpanId).toBe(runSpanId);
    expect(wait?.attributes).toMatchObject({ "baton.approval.id": approval?.id, "baton.approval.decision": "approved", "baton.approval.round": 1 });
    expect((wait?.endTimeUnixNano ?? 0n) >= (wait?.startTimeUnixNano ?? 1n)).toBe(true);

    const githubCalls = trace.filter((span) => span.name.startsWith("github "));
    expect(githubCalls.map((span) => span.name)).toEqual(expect.arrayContaining(["github listFiles", "github createReview"]));
    const createReview = named(trace, "github createReview")[0];
    expect(createReview?.parentSpanId).toBe(named(trace, "step post")[0]?.spanId);
    expect(createReview?.attributes).toMatchObject({ "github.repository": "acme/infra", "github.pull_request.number": 42, "baton.step.id": "post" });

    const slackCalls = trace.filter((span) => span.name.startsWith("slack "));
    expect(slackCalls.map((span) => span.name)).toEqual(expect.arrayContaining(["slack chat.postMessage", "slack chat.update"]));
    for (const call of slackCalls)
      expect(call).toMatchObject({ kind: SPAN_KIND_CLIENT, attributes: expect.objectContaining({ "baton.run.id": runId, "http.response.status_code": 200 }) });
  }, 60_000);

  it("http/json with headers from OTEL_EXPORTER_OTLP_HEADERS; a request-changes round shows as two approval spans", async () => {
    receiver = await startOtlpReceiver();
    harness = await startBotHarness({
      environment: {
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiver.url}/v1/traces`,
        OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
        OTEL_EXPORTER_OTLP_HEADERS: "x-team=ops%20east,authorization=Bearer%20t0ken",
      },
    });
    const answer = answerBySystemPrompt({ plan: PLAN_ANSWER });
    let planCalls = 0;
    // The second plan (after the feedback) finds more of its prompt in the server's cache.
    harness.model.setFallback((body) => {
      const reply = answer(body);
      if (reply.kind !== "json") return reply;
      planCalls += 1;
      return { ...reply, usage: { prompt_tokens: 1_500, completion_tokens: 40, prompt_tokens_details: { cached_tokens: planCalls === 1 ? 1_152 : 1_280 } } };
    });
    await harness.post(
      slashCommand({ text: "run change-plan restart the api pods", userId: REQUESTER, responseUrl: harness.responseUrl("start") }, SIGNING_SECRET),
    );
    const store = harness.bot.runtime.store;
    const [run] = await store.listRuns({ limit: 1 });
    const runId = run?.id ?? "";
    await harness.bot.runtime.runner.settled(runId);
    const [first] = await store.listApprovals({ runId, statuses: ["pending"], limit: 1 });
    await harness.bot.runtime.runner.decide(first?.id ?? "", { kind: "request_changes", feedback: "Add a rollback." }, { id: APPROVER, trusted: true });
    await harness.bot.runtime.runner.settled(runId);
    const [second] = await store.listApprovals({ runId, statuses: ["pending"], limit: 1 });
    await harness.bot.runtime.runner.decide(second?.id ?? "", { kind: "approve" }, { id: APPROVER, trusted: true });
    expect((await harness.bot.runtime.runner.settled(runId)).status).toBe("succeeded");
    await harness.bot.slack.projection.idle();
    await harness.close();
    harness = undefined;

    expect(receiver.requests.length).toBeGreaterThan(0);
    for (const request of receiver.requests) {
      expect(request.contentType).toBe("application/json");
      expect(request.headers["x-team"]).toBe("ops east");
      expect(request.headers["authorization"]).toBe("Bearer t0ken");
    }
    const trace = receiver.spans.filter((span) => span.traceId === runTraceIds(runId).traceId);
    expect(
      named(trace, "approval plan")
        .map((span) => span.attributes["baton.approval.decision"])
        .sort(),
    ).toEqual(["approved", "changes_requested"]);
    expect(named(trace, "chat gpt-4o-mini")).toHaveLength(2);
    const cachedTokens = (span: { attributes: Record<string, unknown> }) => span.attributes["gen_ai.usage.cache_read.input_tokens"];
    // Over http/json the cached part arrives as a number too (OTLP JSON sends 64-bit integers as strings).
    expect(
      named(trace, "chat gpt-4o-mini")
        .map(cachedTokens)
        .sort((left, right) => Number(left) - Number(right)),
    ).toEqual([1_152, 1_280]);
    expect(named(trace, "run change-plan")[0]?.attributes["slack.channel.id"]).toBeDefined();
  }, 60_000);

  it("is off without OTEL_EXPORTER_OTLP_* (nothing is built or wrapped), and refuses grpc with the fix", async () => {
    receiver = await startOtlpReceiver();
    harness = await startBotHarness();
    expect(harness.bot.runtime.tracing).toBeUndefined();
    await harness.close();
    harness = undefined;
    await expect(startBotHarness({ environment: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_OTLP_PROTOCOL: "grpc" } })).rejects.toThrow(
      /OTLP\/HTTP only\. Set it to http\/protobuf or http\/json/,
    );
    expect(receiver.requests).toHaveLength(0);
  });
});
