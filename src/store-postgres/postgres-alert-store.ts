import type { AlertStore, DeliveryInput, DeliveryOutcome, IdGenerator, IncidentRecord, IncidentUpdateBatch } from "../core/ports.js";
import { countRowSchema, owedRowSchema, toIncidentRecord } from "./alert-codecs.js";
import { ALERT_STATEMENTS as STATEMENTS } from "./alert-statements.js";
import { writeDelivery, writeUpdateClaim } from "./alert-writes.js";
import type { PoolAccess } from "./pool-access.js";
import { parseRow } from "./row-codecs.js";

/**
 * The `AlertStore` on PostgreSQL (tables of migration 4). A delivery is one transaction: the raw
 * body, the redelivery check, the incident grouping and what the run's thread is owed are
 * written together or not at all, so an accepted alert is never lost; deliveries of one alert
 * group take turns on an advisory lock, so two replicas receiving the same group at once open
 * one incident and recognise the redelivery (alert-writes.ts). Compare-and-sets (`attachRun`,
 * `replaceRun`) are one UPDATE each: its WHERE is checked again on the newest row.
 */
export class PostgresAlertStore implements AlertStore {
  /** Shares the pool of the state it was opened with (`openPostgresState`), which closes it. */
  constructor(
    private readonly access: PoolAccess,
    private readonly ids: IdGenerator,
  ) {}

  recordDelivery(input: DeliveryInput): Promise<DeliveryOutcome> {
    return this.access.transaction((client) => writeDelivery(client, input, this.ids));
  }

  async getIncident(incidentId: string): Promise<IncidentRecord | undefined> {
    const [row] = await this.access.rows(STATEMENTS.incidentById, [incidentId]);
    return row === undefined ? undefined : toIncidentRecord(row);
  }

  async findIncidentByRun(runId: string): Promise<IncidentRecord | undefined> {
    const [row] = await this.access.rows(STATEMENTS.incidentByRun, [runId]);
    return row === undefined ? undefined : toIncidentRecord(row);
  }

  async listIncidents(filter: { status?: "open" | "resolved"; since?: number; limit: number }): Promise<IncidentRecord[]> {
    const rows = await this.access.rows(STATEMENTS.listIncidents, [filter.status ?? null, filter.since ?? 0, filter.limit]);
    return rows.map(toIncidentRecord);
  }

  async attachRun(incidentId: string, runId: string): Promise<boolean> {
    return (await this.access.count(STATEMENTS.attachRun, [incidentId, runId])) === 1;
  }

  async replaceRun(incidentId: string, fromRunId: string, toRunId: string): Promise<boolean> {
    return (await this.access.count(STATEMENTS.replaceRun, [incidentId, fromRunId, toRunId])) === 1;
  }

  async countDeliveries(): Promise<number> {
    const [row] = await this.access.rows(STATEMENTS.countDeliveries, []);
    return parseRow(countRowSchema, row, "deliveries").count;
  }

  async listIncidentsOwedUpdates(limit: number): Promise<string[]> {
    const rows = await this.access.rows(STATEMENTS.owedIncidents, [limit]);
    return rows.map((row) => parseRow(owedRowSchema, row, "incident_updates").incident_id);
  }

  claimIncidentUpdates(incidentId: string): Promise<IncidentUpdateBatch | undefined> {
    return this.access.transaction((client) => writeUpdateClaim(client, incidentId));
  }

  async markIncidentUpdatesPosted(key: string, at: number): Promise<void> {
    await this.access.count(STATEMENTS.markPosted, [key, at]);
  }
}
