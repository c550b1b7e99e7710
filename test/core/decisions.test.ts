import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { defineChain } from "../../src/core/chain-builder.js";
import { type BatonError, isBatonError } from "../../src/core/errors.js";
import type { ApprovalRecord } from "../../src/core/ports.js";
import { createHarness, type Harness } from "../support/runner-harness.js";

const Plan = z.object({
  title: z.string().min(3),
  steps: z.array(z.string()).min(1),
  risk: z.enum(["low", "medium", "high"]),
});

const proposal = { title: "Restart the checkout pods", steps: ["kubectl rollout restart deploy/checkout"], risk: "medium" };

const chain = defineChain({ id: "remediate", description: "test", input: z.object({ alert: z.string() }), approvers: ["U-ONCALL", "S-SRE"] })
  .llm("diagnose", {
    system: "You diagnose.",
    user: ({ input }) => `Alert: ${input.alert}`,
    output: z.object({ cause: z.string() }),
  })
  .llm("plan", {
    system: "You plan remediations.",
    user: ({ outputs }) => `Cause: ${outputs.diagnose.cause}`,
    output: Plan,
    approval: { title: "Remediation plan" },
  })
  .action("notify", {
    run: async ({ outputs, run }, services) =>
      services.once(async () => {
        await services.notifier.notify({
          runId: run.id,
          stepId: "notify",
          idempotencyKey: services.idempotencyKey,
          title: outputs.plan.title,
          text: outputs.plan.steps.join("\n"),
        });
        return { posted: true };
      }),
  })
  .build();

const trusted = { id: "cli:tester", trusted: true };

async function pausedRun(harness: Harness): Promise<{ runId: string; approval: ApprovalRecord }> {
  harness.server.enqueue({ kind: "json", value: { cause: "memory leak" } }, { kind: "json", value: proposal });
  const { runId } = await harness.runner.start("remediate", { alert: "OOMKilled" }, { startedBy: "U-STARTER" });
  const run = await harness.runner.settled(runId);
  expect(run.status).toBe("awaiting_approval");
  const [approval] = await harness.store.listApprovals({ runId, statuses: ["pending"], limit: 5 });
  if (!approval) throw new Error("no pending approval");
  return { runId, approval };
}

describe("decisions on an approval gate", () => {
  let harness: Harness;
  beforeEach(async () => {
    harness = await createHarness([chain]);
  });
  afterEach(async () => {
    await harness.close();
  });

  it("rests the run at awaiting_approval with the proposal, approvers and a deadline", async () => {
    const { runId, approval } = await pausedRun(harness);
    expect(approval.proposal).toEqual(proposal);
    expect(approval.approvers).toEqual(["U-ONCALL", "S-SRE"]);
    expect(approval.deadlineAt).toBeGreaterThan(Date.now());
    expect((await harness.store.getSteps(runId)).map((step) => step.stepId)).toEqual(["diagnose"]);
    expect(harness.notifier.sent).toHaveLength(0);
  });

  it("approve: the run continues with the proposed output", async () => {
    const { runId, approval } = await pausedRun(harness);
    const result = await harness.runner.decide(approval.id, { kind: "approve" }, { id: "U-ONCALL" });
    expect(result.applied).toBe(true);
    const run = await harness.runner.settled(runId);
    expect(run.status).toBe("succeeded");
    const steps = await harness.store.getSteps(runId);
    expect(steps.find((step) => step.stepId === "plan")?.output).toEqual(proposal);
    expect(harness.notifier.sent.map((sent) => sent.title)).toEqual(["Restart the checkout pods"]);
    const decided = (await harness.store.listEvents(runId)).find((event) => event.type === "approval.decided");
    expect(decided).toMatchObject({ actor: "U-ONCALL", data: { decision: "approved" } });
  });

  it("edit: the edited output is validated, recorded with a diff, and used", async () => {
    const { runId, approval } = await pausedRun(harness);
    const edited = { ...proposal, risk: "high", steps: [...proposal.steps, "watch error rate for 10 minutes"] };
    await harness.runner.decide(approval.id, { kind: "edit", output: edited }, trusted);
    expect((await harness.runner.settled(runId)).status).toBe("succeeded");
    expect((await harness.store.getSteps(runId)).find((step) => step.stepId === "plan")?.output).toEqual(edited);
    expect(harness.notifier.sent[0]?.text).toContain("watch error rate");
    const decided = (await harness.store.listEvents(runId)).find((event) => event.type === "approval.decided");
    expect(decided?.data["changes"]).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: "risk", before: "medium", after: "high" }),
        expect.objectContaining({ path: "steps[1]", after: "watch error rate for 10 minutes" }),
      ]),
    );
    const stored = await harness.store.getApproval(approval.id);
    expect(stored?.status).toBe("edited");
    expect(stored?.editedOutput).toEqual(edited);
  });

  it("an invalid edit is refused with zod's paths and changes nothing", async () => {
    const { runId, approval } = await pausedRun(harness);
    const eventsBefore = await harness.store.listEvents(runId);
    const error = await harness.runner
      .decide(approval.id, { kind: "edit", output: { ...proposal, risk: "extreme", steps: [] } }, trusted)
      .catch((caught: unknown) => caught);
    expect(isBatonError(error, "EDIT_INVALID")).toBe(true);
    expect((error as BatonError).message).toContain("risk:");
    expect((error as BatonError).message).toContain("steps:");
    expect((await harness.store.getApproval(approval.id))?.status).toBe("pending");
    expect((await harness.store.getRun(runId))?.status).toBe("awaiting_approval");
    expect(await harness.store.listEvents(runId)).toEqual(eventsBefore);
    // The same approval can still be decided properly afterwards.
    expect((await harness.runner.decide(approval.id, { kind: "approve" }, trusted)).applied).toBe(true);
  });

  it("request changes twice: the step runs again with all the feedback, then approve", async () => {
    const { runId, approval } = await pausedRun(harness);
    const second = { ...proposal, title: "Roll back checkout to v41" };
    const third = { ...second, steps: ["helm rollback checkout 41", "verify p99 < 500ms"] };
    harness.server.enqueue({ kind: "json", value: second });
    await harness.runner.decide(approval.id, { kind: "request_changes", feedback: "A restart will not fix a leak; roll back instead." }, trusted);
    expect((await harness.runner.settled(runId)).status).toBe("awaiting_approval");
    const [round2] = await harness.store.listApprovals({ runId, statuses: ["pending"], limit: 5 });
    expect(round2?.round).toBe(2);
    expect(round2?.proposal).toEqual(second);
    const secondPrompt = (harness.server.requests.at(-1)?.body as { messages: Array<{ content: string }> }).messages[1]?.content ?? "";
    expect(secondPrompt).toContain("roll back instead");
    expect(secondPrompt).toContain("Restart the checkout pods");

    harness.server.enqueue({ kind: "json", value: third });
    await harness.runner.decide(round2?.id ?? "", { kind: "request_changes", feedback: "Add a verification step." }, trusted);
    await harness.runner.settled(runId);
    const [round3] = await harness.store.listApprovals({ runId, statuses: ["pending"], limit: 5 });
    expect(round3?.round).toBe(3);
    const thirdPrompt = (harness.server.requests.at(-1)?.body as { messages: Array<{ content: string }> }).messages[1]?.content ?? "";
    expect(thirdPrompt).toContain("roll back instead");
    expect(thirdPrompt).toContain("Add a verification step.");

    await harness.runner.decide(round3?.id ?? "", { kind: "approve" }, trusted);
    expect((await harness.runner.settled(runId)).status).toBe("succeeded");
    const plan = (await harness.store.getSteps(runId)).find((step) => step.stepId === "plan");
    expect(plan?.output).toEqual(third);
    expect(plan?.executions).toBe(3);
    expect(plan?.usage.modelCalls).toBe(1);
    const statuses = (await harness.store.listApprovals({ runId, limit: 10 })).map((item) => item.status).sort();
    expect(statuses).toEqual(["approved", "changes_requested", "changes_requested"]);
  });

  it("reject: the run ends rejected with the reason, and nothing after the gate runs", async () => {
    const { runId, approval } = await pausedRun(harness);
    const result = await harness.runner.decide(approval.id, { kind: "reject", reason: "Not during the sale." }, trusted);
    expect(result).toMatchObject({ applied: true, runStatus: "rejected" });
    const run = await harness.store.getRun(runId);
    expect(run?.status).toBe("rejected");
    expect(run?.finishedAt).not.toBeNull();
    expect((await harness.store.getApproval(approval.id))?.comment).toBe("Not during the sale.");
    expect(harness.notifier.sent).toHaveLength(0);
  });

  it("a reject or change request without text is refused and changes nothing", async () => {
    const { approval } = await pausedRun(harness);
    for (const request of [
      { kind: "reject" as const, reason: "  " },
      { kind: "request_changes" as const, feedback: "" },
    ]) {
      const error = await harness.runner.decide(approval.id, request, trusted).catch((caught: unknown) => caught);
      expect(isBatonError(error, "DECISION_INVALID")).toBe(true);
    }
    expect((await harness.store.getApproval(approval.id))?.status).toBe("pending");
  });

  it("a second decision does not apply and shows who decided first", async () => {
    const { approval } = await pausedRun(harness);
    await harness.runner.decide(approval.id, { kind: "approve" }, { id: "U-ONCALL" });
    const second = await harness.runner.decide(approval.id, { kind: "reject", reason: "too late" }, { id: "S-SRE" });
    expect(second.applied).toBe(false);
    expect(second.approval).toMatchObject({ status: "approved", decidedBy: "U-ONCALL" });
  });

  it("two runners on separate connections approving at once: exactly one wins", async () => {
    const { runId, approval } = await pausedRun(harness);
    const other = harness.openSecondRunner();
    const results = await Promise.all([
      harness.runner.decide(approval.id, { kind: "approve" }, { id: "U-ONCALL" }),
      other.runner.decide(approval.id, { kind: "approve" }, { id: "S-SRE" }),
    ]);
    expect(results.filter((result) => result.applied)).toHaveLength(1);
    await harness.runner.idle();
    await other.runner.idle();
    expect((await harness.store.getRun(runId))?.status).toBe("succeeded");
    expect(harness.notifier.sent).toHaveLength(1);
    expect((await harness.store.listEvents(runId)).filter((event) => event.type === "approval.decided")).toHaveLength(1);
  });

  it("deciding after another process decided ends 'already decided', and changes nothing", async () => {
    // The Slack and terminal adapters read the approval, show it, then decide by its id.
    const { runId, approval } = await pausedRun(harness);
    const other = harness.openSecondRunner();
    expect((await other.runner.decide(approval.id, { kind: "reject", reason: "wrong service" }, { id: "S-SRE" })).applied).toBe(true);

    const late = await harness.runner.decide(approval.id, { kind: "approve" }, { id: "U-ONCALL" });
    expect(late.applied).toBe(false);
    expect(late.approval).toMatchObject({ id: approval.id, status: "rejected", decidedBy: "S-SRE", comment: "wrong service" });
    await harness.runner.idle();
    expect((await harness.store.getRun(runId))?.status).toBe("rejected");
    expect(harness.notifier.sent).toHaveLength(0);
    expect((await harness.store.listEvents(runId)).filter((event) => event.type === "approval.decided")).toHaveLength(1);
    expect(await harness.store.getSteps(runId)).toHaveLength(1);
  });

  it("refuses someone who is not an approver, and audits the attempt", async () => {
    const { runId, approval } = await pausedRun(harness);
    const error = await harness.runner
      .decide(approval.id, { kind: "approve" }, { id: "U-RANDOM", groupIds: ["S-MARKETING"] })
      .catch((caught: unknown) => caught);
    expect(isBatonError(error, "APPROVAL_NOT_ALLOWED")).toBe(true);
    expect((error as Error).message).toContain("U-ONCALL, S-SRE");
    expect((await harness.store.getApproval(approval.id))?.status).toBe("pending");
    expect((await harness.store.listEvents(runId)).some((event) => event.type === "approval.denied" && event.actor === "U-RANDOM")).toBe(true);
    // A member of an approver group may decide.
    expect((await harness.runner.decide(approval.id, { kind: "approve" }, { id: "U-OTHER", groupIds: ["S-SRE"] })).applied).toBe(true);
  });

  it("cancel: a waiting run ends cancelled and its approval can no longer be decided", async () => {
    const { runId, approval } = await pausedRun(harness);
    await harness.runner.cancel(runId, "U-ONCALL", "duplicate alert");
    expect((await harness.store.getRun(runId))?.status).toBe("cancelled");
    expect((await harness.store.getApproval(approval.id))?.status).toBe("cancelled");
    expect((await harness.runner.decide(approval.id, { kind: "approve" }, trusted)).applied).toBe(false);
    const again = await harness.runner.cancel(runId, "U-ONCALL").catch((caught: unknown) => caught);
    expect(isBatonError(again, "RUN_NOT_ACTIVE")).toBe(true);
  });

  it("an unknown approval id says how to find the right one", async () => {
    const error = await harness.runner.decide("a_nope", { kind: "approve" }, trusted).catch((caught: unknown) => caught);
    expect(isBatonError(error, "APPROVAL_NOT_FOUND")).toBe(true);
    expect((error as Error).message).toContain("baton");
  });
});

describe("self-approval and skipped steps", () => {
  it("a chain can forbid approving one's own run", async () => {
    const strict = defineChain({ id: "strict", description: "test", input: z.object({ text: z.string() }) })
      .llm("draft", { system: "s", user: ({ input }) => input.text, output: z.object({ text: z.string() }), approval: { allowSelfApproval: false } })
      .build();
    const harness = await createHarness([strict]);
    try {
      harness.server.enqueue({ kind: "json", value: { text: "hello" } });
      const { runId } = await harness.runner.start("strict", { text: "x" }, { startedBy: "U-ME" });
      await harness.runner.settled(runId);
      const [approval] = await harness.store.listApprovals({ runId, limit: 1 });
      const error = await harness.runner.decide(approval?.id ?? "", { kind: "approve" }, { id: "U-ME" }).catch((caught: unknown) => caught);
      expect(isBatonError(error, "APPROVAL_NOT_ALLOWED")).toBe(true);
      expect((await harness.runner.decide(approval?.id ?? "", { kind: "approve" }, { id: "U-YOU" })).applied).toBe(true);
    } finally {
      await harness.close();
    }
  });

  it("skips a step whose condition holds and gates only when the policy says so", async () => {
    const conditional = defineChain({ id: "conditional", description: "test", input: z.object({ severity: z.number() }) })
      .llm("page", {
        system: "s",
        user: () => "page someone",
        output: z.object({ who: z.string() }),
        skipIf: ({ input }) => input.severity > 2,
      })
      .llm("fix", {
        system: "s",
        user: ({ outputs }) => `paged: ${outputs.page?.who ?? "nobody"}`,
        output: z.object({ action: z.string() }),
        approval: { when: ({ input }) => input.severity <= 2 },
      })
      .build();
    const harness = await createHarness([conditional]);
    try {
      harness.server.enqueue({ kind: "json", value: { action: "restart" } });
      const { runId } = await harness.runner.start("conditional", { severity: 4 }, { startedBy: "tester" });
      expect((await harness.runner.settled(runId)).status).toBe("succeeded");
      const steps = await harness.store.getSteps(runId);
      expect(steps.map((step) => step.status)).toEqual(["skipped", "succeeded"]);
      expect((harness.server.requests[0]?.body as { messages: Array<{ content: string }> }).messages[1]?.content).toBe("paged: nobody");
    } finally {
      await harness.close();
    }
  });
});
