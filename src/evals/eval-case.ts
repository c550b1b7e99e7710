import { z } from "zod";

/**
 * An eval case: one model step of one real run, as `baton eval capture` writes it to
 * `evals/<chain>/<case>.json` — what the step saw, what the model proposed, and what the human
 * made of it. Reviewable in git; secrets and Slack ids are taken out before it is written.
 */

/** What the human made of the proposal; `unreviewed` for a step with no approval gate (the output the run used). */
export const REFERENCE_KINDS = ["approved", "edited", "changes_requested", "rejected", "unreviewed"] as const;
export type ReferenceKind = (typeof REFERENCE_KINDS)[number];

export const EvalCaseSchema = z.object({
  /** The file format's version, so a later baton can read old cases. */
  format: z.literal(1),
  id: z.string().regex(/^[A-Za-z0-9._-]+$/),
  chainId: z.string(),
  stepId: z.string(),
  /** Where it came from: enough to find the run again, nothing about who ran it. */
  capturedFrom: z.object({
    runId: z.string(),
    capturedAt: z.string(),
    model: z.string().nullable(),
    promptVersion: z.string().nullable(),
  }),
  /** The step's input context: the run's input and the outputs of the steps before it. */
  context: z.object({ input: z.unknown(), outputs: z.record(z.string(), z.unknown()) }),
  /** What the model proposed first (round 1). */
  proposal: z.unknown(),
  reference: z.object({
    kind: z.enum(REFERENCE_KINDS),
    /** The answer the human settled on: the proposal approved as is, the edit, or the output a later round got approved; null when there is none (rejected). */
    output: z.unknown().nullable(),
    /** Reviewers' "request changes" feedback and a rejection's reason, oldest first. */
    feedback: z.array(z.string()),
  }),
});

export type EvalCase = z.infer<typeof EvalCaseSchema>;
