import { defineChain } from "../../src/chain-api.js";
import { gatherContext } from "./incident-context.js";
import { classifyPrompt, remediationPrompt } from "./prompts.js";
import { Classification, Freshness, IncidentContext, IncidentInput, RemediationPlan } from "./schemas.js";

/**
 * incident-response: an alert group becomes a classification, a remediation plan grounded in
 * the runbook and in how similar incidents went (approved by on-call: every plan with a command
 * needs a person, whatever the classification says), a freshness check (asks again if the incident resolved meanwhile), and a
 * summary in the incident channel. baton never runs the plan: people do.
 */
export default defineChain({
  id: "incident-response",
  title: "Incident response",
  description:
    "Alert → classify → remediation plan from the runbook (approval for any plan with commands) → still firing? → notify the incident channel → record",
  input: IncidentInput,
  approvalDeadline: "4h",
  approvalReminders: { every: "15m", escalateAfter: "30m" },
  // An alert cannot wait for a person to notice a model outage: the run waits it out, for up to 30 minutes.
  outageWait: "30m",
})
  .llm("classify", {
    description: "Classify type, severity, service and blast radius",
    system: classifyPrompt.system,
    user: ({ input }, budget) => classifyPrompt.user(input, budget),
    output: Classification,
    temperature: 0,
  })
  .action("context", {
    description: "Find the runbook and similar earlier incidents",
    run: async ({ input, run }, services) => gatherContext(input, run.id, services),
    output: IncidentContext,
  })
  .llm("remediation", {
    description: "Draft the remediation plan",
    system: remediationPrompt.system,
    user: ({ input, outputs }, budget) => remediationPrompt.user(input, outputs.classify, outputs.context, budget),
    output: RemediationPlan,
    temperature: 0.2,
    approval: {
      title: "Remediation plan",
      when: ({ outputs }, plan) =>
        outputs.classify.severity === "SEV1" || outputs.classify.severity === "SEV2" || plan.steps.some((step) => step.risk === "high"),
      // The floor: a plan with any command is approved by a person, whatever severity or risk a
      // model claimed. Alert text can steer the classification (and the risk labels); it cannot
      // make a plan with commands skip this.
      floor: (plan) => plan.steps.some((step) => step.command.trim() !== ""),
    },
  })
  .action("freshness", {
    description: "Check the incident is still firing before telling anyone",
    run: async ({ input }, services) => {
      const lookup = services.resources.incidents;
      if (!lookup) return { stillFiring: true, checked: false, note: "Not checked: this process has no alert store (started outside the bot)." };
      const status = await lookup.statusOf(input.incidentId);
      if (!status) return { stillFiring: true, checked: false, note: `Incident ${input.incidentId} is not in the alert store; assuming it is still firing.` };
      return status.status === "open"
        ? { stillFiring: true, checked: true, note: "Still firing." }
        : {
            stillFiring: false,
            checked: true,
            note: `The incident resolved at ${new Date(status.resolvedAt ?? services.clock.now()).toISOString()}, while the plan waited. Approve to post the summary anyway, or reject to stop here.`,
          };
    },
    output: Freshness,
    approval: { title: "The incident resolved while the plan waited — post the summary anyway?", when: (_context, freshness) => !freshness.stillFiring },
  })
  .action("notify", {
    description: "Post the incident summary to the incident channel",
    run: async ({ input, outputs, run }, services) => {
      const classification = outputs.classify;
      const plan = outputs.remediation;
      const approvals = await services.store.listApprovals({ runId: run.id, limit: 20 });
      const decision = approvals.find((approval) => approval.stepId === "remediation" && (approval.status === "approved" || approval.status === "edited"));
      const links = [...outputs.context.runbookUrls, ...input.alerts.flatMap((alert) => (alert.generatorUrl ? [alert.generatorUrl] : []))];
      const text = [
        `${classification.severity} ${classification.incidentType} on ${classification.affectedService}: ${input.title}`,
        `Impact: ${classification.blastRadius}`,
        outputs.freshness.stillFiring ? "Status: firing" : `Status: ${outputs.freshness.note}`,
        "",
        `Plan: ${plan.summary}`,
        ...plan.steps.map((step) => `${String(step.order)}. ${step.command} (risk ${step.risk}) → ${step.expectedEffect}`),
        `Rollback: ${plan.rollback.join("; ")}`,
        `Verify: ${plan.verification.join("; ")}`,
        "",
        decision
          ? `Approved by ${decision.decidedBy ?? "?"}${decision.status === "edited" ? " (edited)" : ""}`
          : "No approval was needed for this severity and risk.",
        ...(links.length > 0 ? [`Links: ${links.join(" ")}`] : []),
      ].join("\n");
      return services.once(async () => {
        const sent = await services.notifier.notify({
          runId: run.id,
          stepId: "notify",
          idempotencyKey: services.idempotencyKey,
          title: `Incident ${classification.severity}: ${input.title}`,
          text,
          ...(input.incidentChannel ? { destination: input.incidentChannel } : {}),
          mentions: input.oncall,
        });
        return { reference: sent.reference, approvedBy: decision?.decidedBy ?? null };
      });
    },
  })
  .action("record", {
    description: "Record the outcome for the dashboard and later incidents",
    run: async ({ input, outputs }, services) => ({
      incidentId: input.incidentId,
      severity: outputs.classify.severity,
      service: outputs.classify.affectedService,
      approvedBy: outputs.notify.approvedBy,
      notified: outputs.notify.reference,
      recordedAt: new Date(services.clock.now()).toISOString(),
    }),
  })
  .build();
