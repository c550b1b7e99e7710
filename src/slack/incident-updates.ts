import type { IncidentChange, IncidentRecord, IncidentSummary } from "../core/ports.js";
import type { IncidentRecovery } from "../use-cases/incident-recovery.js";
import type { IncidentUpdates } from "../use-cases/incident-runs.js";
import { section } from "./render/blocks.js";
import { escapeMrkdwn, joinMrkdwn, md, slackDate, type Mrkdwn } from "./render/mrkdwn.js";
import { truncateText } from "./render/block-limits.js";
import type { RunProjection } from "./run-projection.js";

/**
 * New and resolved alerts of a running incident, as replies in its run's thread — so the
 * approver of a pending plan sees when it may be stale — and, when a new alert took an ended run
 * up again, what baton did about it.
 */
export class SlackIncidentUpdates implements IncidentUpdates {
  readonly #projection: RunProjection;
  readonly #now: () => number;

  constructor(projection: RunProjection, now: () => number) {
    this.#projection = projection;
    this.#now = now;
  }

  async post(incident: IncidentRecord, change: IncidentChange, key: string): Promise<void> {
    if (incident.runId === null) return;
    const thread = await this.#projection.threadOf(incident.runId);
    if (!thread) throw new Error(`run ${incident.runId} has no card in Slack yet`);
    // A storm can fold hundreds of alerts into one update: list the first few, count the rest.
    const describe = (alerts: IncidentChange["newAlerts"]): Mrkdwn => {
      const shown = alerts
        .slice(0, 10)
        .map((alert) => md`• *${escapeMrkdwn(alert.name)}*${alert.service ? md` on ${escapeMrkdwn(alert.service)}` : md``} — ${escapeMrkdwn(alert.summary)}`);
      return joinMrkdwn([...shown, ...(alerts.length > shown.length ? [md`… and ${alerts.length - shown.length} more`] : [])], "\n");
    };
    const lines: Mrkdwn[] = [];
    if (change.newAlerts.length > 0)
      lines.push(
        md`:rotating_light: ${change.newAlerts.length} more alert${change.newAlerts.length === 1 ? md`` : md`s`} in this incident:\n${describe(change.newAlerts)}`,
      );
    if (change.resolvedAlerts.length > 0) lines.push(md`:white_check_mark: Resolved:\n${describe(change.resolvedAlerts)}`);
    if (change.change === "resolved")
      lines.push(
        md`:large_green_circle: *The incident resolved* at ${slackDate(incident.resolvedAt ?? this.#now())}. A plan still waiting for approval may be stale now; the run checks again before it tells anyone.`,
      );
    if (lines.length === 0) return;
    const text = joinMrkdwn(lines, "\n\n");
    await this.#projection.upsert(key, incident.runId, thread.channel, { text: truncateText(text, 3_000), blocks: [section(text)] }, thread.ts);
  }

  async postRecovery(incident: IncidentSummary, recovery: IncidentRecovery): Promise<void> {
    const thread = await this.#projection.threadOf(recovery.previousRunId);
    if (!thread) throw new Error(`run ${recovery.previousRunId} has no card in Slack`);
    const ended =
      recovery.previousStatus === "expired"
        ? md`its approval expired unanswered`
        : md`it failed${recovery.previousError ? md` (\`${escapeMrkdwn(recovery.previousError)}\`)` : md``}`;
    const text =
      recovery.kind === "retried"
        ? md`:arrows_counterclockwise: *A new alert for this incident* came in after run \`${escapeMrkdwn(recovery.previousRunId)}\` stopped: ${ended}. baton is retrying the run${recovery.fromStepId ? md` from \`${escapeMrkdwn(recovery.fromStepId)}\`` : md``}, keeping what it had done; it goes on in this thread.`
        : md`:arrows_counterclockwise: *A new alert for this incident* came in after run \`${escapeMrkdwn(recovery.previousRunId)}\` stopped: ${ended}, and it cannot be retried. baton started run \`${escapeMrkdwn(recovery.runId)}\` for *${escapeMrkdwn(incident.title)}* with the alerts as they are now; its card is in this channel.`;
    await this.#projection.upsert(
      recovery.key,
      recovery.previousRunId,
      thread.channel,
      { text: truncateText(text, 3_000), blocks: [section(text)] },
      thread.ts,
    );
  }
}
