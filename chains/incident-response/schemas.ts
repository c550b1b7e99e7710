import { AlertSchema, z } from "../../src/chain-api.js";

/** An alert as baton's webhooks normalise it (Alertmanager, Grafana, PagerDuty, generic). */
export const Alert = AlertSchema;
export type Alert = z.infer<typeof Alert>;

/** The run's input: one incident (an alert group) and where to tell people. */
export const IncidentInput = z.object({
  incidentId: z.string().min(1),
  source: z.enum(["alertmanager", "grafana", "pagerduty", "generic"]),
  title: z.string().min(1),
  alerts: z.array(Alert).min(1),
  /** Slack channel id for the incident summary (BATON_INCIDENT_CHANNEL); the run's thread when absent. */
  incidentChannel: z.string().optional(),
  /** User or group ids mentioned in the summary (the on-call group). */
  oncall: z.array(z.string()).default([]),
});
export type IncidentInput = z.infer<typeof IncidentInput>;

export const Severity = z.enum(["SEV1", "SEV2", "SEV3", "SEV4"]);

export const Classification = z.object({
  incidentType: z.enum(["availability", "error-rate", "latency", "saturation", "data", "security", "deployment", "dependency", "other"]),
  severity: Severity.describe("SEV1: customer-facing outage or data loss; SEV2: major degradation; SEV3: minor or partial; SEV4: no user impact"),
  affectedService: z.string().min(1),
  blastRadius: z.string().min(1).describe("who and what is affected, and how widely"),
  confidence: z.number().min(0).max(1),
  rationale: z.string().min(1),
});
export type Classification = z.infer<typeof Classification>;

/** What the runbook and earlier incidents say, gathered before the plan is drafted. */
export const IncidentContext = z.object({
  runbook: z.object({ file: z.string(), text: z.string() }).nullable(),
  runbookUrls: z.array(z.string()),
  similarIncidents: z.array(
    z.object({
      runId: z.string(),
      startedAt: z.string(),
      severity: z.string().nullable(),
      plan: z.string().nullable(),
      decidedBy: z.string().nullable(),
      outcome: z.string(),
    }),
  ),
});
export type IncidentContext = z.infer<typeof IncidentContext>;

export const RemediationPlan = z.object({
  summary: z.string().min(10),
  steps: z
    .array(
      z.object({
        order: z.number().int().min(1),
        command: z.string().min(1).describe("the command or console action, for a person to run; baton never runs it"),
        expectedEffect: z.string().min(1),
        risk: z.enum(["low", "medium", "high"]),
      }),
    )
    .min(1),
  rollback: z.array(z.string().min(1)).min(1),
  verification: z.array(z.string().min(1)).min(1),
});
export type RemediationPlan = z.infer<typeof RemediationPlan>;

export const Freshness = z.object({
  stillFiring: z.boolean(),
  checked: z.boolean(),
  note: z.string(),
});
