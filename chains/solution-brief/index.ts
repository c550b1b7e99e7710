import { coverageScore, defineChain, wordLimitScore } from "../../src/chain-api.js";
import { architecturePrompt, costPrompt, requirementsPrompt, summaryPrompt } from "./prompts.js";
import { Architecture, BusinessSummary, CostEstimate, Requirements, SolutionBriefInput } from "./schemas.js";

/**
 * solution-brief: a customer request becomes requirements, an architecture, a cost estimate
 * and a business summary. A person approves the summary before it is delivered.
 */
export default defineChain({
  id: "solution-brief",
  title: "Solution brief",
  description: "Request → requirements → architecture → cost estimate → business summary (approval) → deliver",
  input: SolutionBriefInput,
  approvalDeadline: "3d",
})
  .llm("requirements", {
    description: "Extract objectives, requirements, constraints and open questions",
    system: requirementsPrompt.system,
    user: ({ input }, budget) => requirementsPrompt.user(input.request, input.customer, budget),
    output: Requirements,
    temperature: 0.1,
  })
  .llm("architecture", {
    description: "Propose a target architecture that covers every requirement",
    system: architecturePrompt.system,
    user: ({ outputs }, budget) => architecturePrompt.user(outputs.requirements, budget),
    output: Architecture,
    temperature: 0.3,
    scorers: [
      {
        name: "requirements-covered",
        score: (answer, { outputs }) =>
          coverageScore(
            outputs.requirements.functional.map((requirement) => requirement.id),
            new Set(answer.requirementCoverage.map((entry) => entry.requirementId)),
            "requirements not covered",
          ),
      },
    ],
  })
  .llm("cost-estimate", {
    description: "Estimate monthly and one-time costs with assumptions",
    system: costPrompt.system,
    user: ({ outputs }, budget) => costPrompt.user(outputs.requirements, outputs.architecture, budget),
    output: CostEstimate,
    temperature: 0.1,
  })
  .llm("business-summary", {
    description: "Write the executive summary for the customer",
    system: summaryPrompt.system,
    user: ({ outputs }, budget) => summaryPrompt.user(outputs.requirements, outputs.architecture, outputs["cost-estimate"], budget),
    output: BusinessSummary,
    temperature: 0.4,
    scorers: [{ name: "word-limit", score: (answer) => wordLimitScore(answer.executiveSummary, 150) }],
    approval: { title: "Business summary to send to the customer" },
  })
  .action("deliver", {
    description: "Send the approved brief",
    run: async ({ input, outputs, run }, services) => {
      const summary = outputs["business-summary"];
      const cost = outputs["cost-estimate"];
      const text = [
        summary.executiveSummary,
        "",
        `Recommendation: ${summary.recommendation}`,
        `Investment: ${summary.investment} (${cost.currency} ${cost.monthlyTotalLow}–${cost.monthlyTotalHigh} a month)`,
        "",
        "Next steps:",
        ...summary.nextSteps.map((step) => `• ${step}`),
      ].join("\n");
      return services.once(async () => {
        const sent = await services.notifier.notify({
          runId: run.id,
          stepId: "deliver",
          idempotencyKey: services.idempotencyKey,
          title: summary.title,
          text,
        });
        return { deliveredTo: input.customer ?? outputs.requirements.customer, reference: sent.reference };
      });
    },
  })
  .build();
