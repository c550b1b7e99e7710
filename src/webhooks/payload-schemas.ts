import { z } from "zod";

/**
 * What each sender's webhook body must look like to be accepted. Loose where senders add
 * fields over versions (extra keys pass), strict where baton relies on a field.
 */

const StringMap = z.record(z.string(), z.string());

/** Alertmanager's webhook payload, version 4; Grafana's unified alerting uses the same family (version 1). */
const PrometheusStyleAlert = z.looseObject({
  status: z.enum(["firing", "resolved"]),
  labels: StringMap,
  annotations: StringMap.default({}),
  startsAt: z.string().optional(),
  endsAt: z.string().optional(),
  generatorURL: z.string().optional(),
  fingerprint: z.string().min(1),
});

export const AlertmanagerPayload = z.looseObject({
  version: z.literal("4", { message: 'must be "4" (Alertmanager\'s webhook payload version)' }),
  groupKey: z.string().min(1),
  status: z.enum(["firing", "resolved"]),
  receiver: z.string(),
  groupLabels: StringMap.default({}),
  commonLabels: StringMap.default({}),
  commonAnnotations: StringMap.default({}),
  externalURL: z.string().optional(),
  alerts: z.array(PrometheusStyleAlert).min(1),
});
export type AlertmanagerPayload = z.infer<typeof AlertmanagerPayload>;

export const GrafanaPayload = z.looseObject({
  version: z.literal("1", { message: 'must be "1" (Grafana unified alerting webhook version)' }),
  groupKey: z.string().min(1),
  status: z.enum(["firing", "resolved"]),
  title: z.string().optional(),
  groupLabels: StringMap.default({}),
  commonLabels: StringMap.default({}),
  alerts: z.array(PrometheusStyleAlert.extend({ dashboardURL: z.string().optional(), panelURL: z.string().optional() })).min(1),
});
export type GrafanaPayload = z.infer<typeof GrafanaPayload>;

/** PagerDuty V3: one event per delivery; incidents are grouped by incident id. */
export const PagerDutyPayload = z.looseObject({
  event: z.looseObject({
    id: z.string().min(1),
    event_type: z.string().min(1),
    resource_type: z.string(),
    occurred_at: z.string(),
    data: z.looseObject({
      id: z.string().min(1),
      type: z.string(),
      title: z.string().default(""),
      status: z.string().optional(),
      html_url: z.string().optional(),
      urgency: z.string().optional(),
      priority: z.looseObject({ summary: z.string() }).nullable().optional(),
      service: z.looseObject({ summary: z.string() }).nullable().optional(),
    }),
  }),
});
export type PagerDutyPayload = z.infer<typeof PagerDutyPayload>;

/** baton's own small shape, for anything that can POST JSON (documented in docs/webhooks.md). */
export const GenericPayload = z.object({
  title: z.string().min(1).max(500),
  severity: z.string().max(50).optional(),
  status: z.enum(["firing", "resolved"]).default("firing"),
  labels: StringMap.default({}),
  description: z.string().max(20_000).default(""),
  source: z.string().max(200).optional(),
  /** Alerts with the same group belong to one incident; default: the title. */
  group: z.string().min(1).max(500).optional(),
  runbookUrl: z.url().optional(),
});
export type GenericPayload = z.infer<typeof GenericPayload>;
