import { z } from "../../src/chain-api.js";

export const SolutionBriefInput = z.object({
  request: z.string().trim().min(20, "describe the request in at least 20 characters: who the customer is and what they need"),
  customer: z.string().trim().min(1).optional(),
});

export const Requirements = z.object({
  customer: z.string().describe("The customer's name, or 'unknown'"),
  summary: z.string().describe("What the customer wants, in two sentences"),
  objectives: z.array(z.string()).min(1).describe("Business outcomes the customer is after"),
  functional: z
    .array(
      z.object({
        id: z.string().describe("FR-1, FR-2, ..."),
        text: z.string(),
        priority: z.enum(["must", "should", "could"]),
      }),
    )
    .min(1),
  nonFunctional: z.array(
    z.object({
      category: z.enum(["availability", "performance", "security", "compliance", "scalability", "operability", "cost"]),
      text: z.string(),
    }),
  ),
  constraints: z.array(z.string()).describe("Budget, deadlines, mandated technologies, regions"),
  openQuestions: z.array(z.string()).describe("What must be asked before committing"),
});

export const Architecture = z.object({
  pattern: z.string().describe("The architectural style, e.g. 'event-driven microservices on managed Kubernetes'"),
  summary: z.string(),
  components: z
    .array(
      z.object({
        name: z.string(),
        service: z.string().describe("The cloud service or product that implements it"),
        purpose: z.string(),
      }),
    )
    .min(1),
  requirementCoverage: z.array(z.object({ requirementId: z.string(), how: z.string() })).describe("How each functional requirement is met"),
  risks: z.array(z.object({ risk: z.string(), mitigation: z.string() })),
});

export const CostEstimate = z.object({
  currency: z.string().length(3).describe("ISO 4217 code"),
  lineItems: z
    .array(
      z.object({
        component: z.string(),
        monthlyLow: z.number().nonnegative(),
        monthlyHigh: z.number().nonnegative(),
        assumption: z.string(),
      }),
    )
    .min(1),
  monthlyTotalLow: z.number().nonnegative(),
  monthlyTotalHigh: z.number().nonnegative(),
  oneTimeCosts: z.array(z.object({ item: z.string(), amount: z.number().nonnegative() })),
  assumptions: z.array(z.string()),
});

export const BusinessSummary = z.object({
  title: z.string().max(120),
  executiveSummary: z.string().describe("Three to five sentences for a non-technical decision maker"),
  keyBenefits: z.array(z.string()).min(1).max(6),
  investment: z.string().describe("The monthly range and one-time costs in one sentence"),
  risks: z.array(z.string()).max(5),
  nextSteps: z.array(z.string()).min(1).max(6),
  recommendation: z.enum(["proceed", "proceed-with-conditions", "do-not-proceed"]),
});

export type RequirementsOutput = z.output<typeof Requirements>;
export type ArchitectureOutput = z.output<typeof Architecture>;
export type CostEstimateOutput = z.output<typeof CostEstimate>;
export type BusinessSummaryOutput = z.output<typeof BusinessSummary>;
