import { z } from "../../src/chain-api.js";

/** The RFP and who it is for. `document` is the RFP's text (PDF pages separated by form feeds). */
export const RfpInput = z.object({
  title: z.string().trim().min(1, "give the RFP a title").max(200),
  customer: z.string().trim().min(1).max(200).default("the customer"),
  document: z.string().min(200, "the RFP needs at least 200 characters of text"),
  sourceName: z.string().optional(),
});
export type RfpInput = z.infer<typeof RfpInput>;

export const Category = z.enum(["functional", "non_functional", "security_compliance", "commercial"]);
export const Priority = z.enum(["must", "should", "could"]);

/** One chunk's requirements. `quote` is the sentence as the RFP states it (checked against the chunk). */
export const ChunkRequirements = z.object({
  requirements: z.array(
    z.object({
      text: z.string().min(5).describe("the requirement, restated briefly"),
      quote: z.string().min(5).describe("the sentence of the RFP that states it, copied exactly"),
      category: Category,
      priority: Priority.describe("must: MUST/SHALL/required/mandatory; should: SHOULD/preferred; could: MAY/optional"),
    }),
  ),
});
export type ChunkRequirements = z.infer<typeof ChunkRequirements>;

/** Requirements across the whole RFP, duplicates folded; `sources` are the extracted ids (E3.2) merged into each. */
export const MergedRequirements = z.object({
  requirements: z.array(
    z.object({
      id: z.string().regex(/^REQ-\d{3}$/, "must look like REQ-001"),
      text: z.string().min(5),
      category: Category,
      priority: Priority,
      sources: z.array(z.string().regex(/^E\d+\.\d+$/)).min(1),
    }),
  ),
});
export type MergedRequirements = z.infer<typeof MergedRequirements>;

export const Architecture = z.object({
  overview: z.string().min(20),
  components: z.array(z.object({ name: z.string().min(1), service: z.string().min(1), purpose: z.string().min(1) })).min(1),
  traceability: z.array(z.object({ requirementId: z.string(), approach: z.string().min(5), components: z.array(z.string()) })),
});
export type Architecture = z.infer<typeof Architecture>;

export const CostCompliance = z.object({
  currency: z.string().regex(/^[A-Z]{3}$/),
  lines: z
    .array(z.object({ component: z.string().min(1), monthlyLow: z.number().nonnegative(), monthlyHigh: z.number().nonnegative(), assumptions: z.string() }))
    .min(1),
  totals: z.object({ monthlyLow: z.number().nonnegative(), monthlyHigh: z.number().nonnegative() }),
  assumptions: z.array(z.string()),
  compliance: z.array(
    z.object({
      framework: z.string().min(2),
      requestedInRfp: z.boolean(),
      controls: z.array(z.string()),
      gaps: z.array(z.string()),
    }),
  ),
});
export type CostCompliance = z.infer<typeof CostCompliance>;

export const ExecutiveSummary = z.object({
  summary: z.string().min(50).max(3_000),
  winThemes: z.array(z.string()).min(1).max(6),
  risks: z.array(z.string()),
  nextSteps: z.array(z.string()).min(1),
});
export type ExecutiveSummary = z.infer<typeof ExecutiveSummary>;
