import type { AuditEventType } from "../core/ports.js";

/**
 * Event types as stored: a small integer each, instead of 10-20 bytes of text in every event.
 * The `event_types` table (migrations.ts) names them for people using the sqlite3 shell: a new
 * type needs a code here (TypeScript insists) and a migration that adds its row there.
 */
export const EVENT_TYPE_CODES: Readonly<Record<AuditEventType, number>> = {
  "run.started": 1,
  "run.recovered": 2,
  "run.finished": 3,
  "step.started": 4,
  "step.finished": 5,
  "step.skipped": 6,
  "step.failed": 7,
  "model.call": 8,
  "model.output_invalid": 9,
  "approval.requested": 10,
  "approval.decided": 11,
  "approval.denied": 12,
  "effect.replayed": 13,
  "step.retry_scheduled": 14,
  "run.retried": 15,
  "run.rerun": 16,
};

const EVENT_TYPES_BY_CODE = new Map<number, AuditEventType>();
for (const [type, code] of Object.entries(EVENT_TYPE_CODES)) {
  if (isAuditEventType(type)) EVENT_TYPES_BY_CODE.set(code, type);
}

function isAuditEventType(name: string): name is AuditEventType {
  return Object.hasOwn(EVENT_TYPE_CODES, name);
}

/** The type stored as `code`, or undefined for a code this version does not know. */
export function eventTypeOfCode(code: number): AuditEventType | undefined {
  return EVENT_TYPES_BY_CODE.get(code);
}
