import type { Pool } from "pg";
import type {
  DecisionCommit,
  DecisionOutcome,
  DeliveryInput,
  DeliveryOutcome,
  IdGenerator,
  NewRerun,
  RetrySchedule,
  RunFinish,
  RunReopen,
  StoreChange,
} from "../core/ports.js";
import { notifyChange } from "./postgres-change-feed.js";
import type { PoolAccess } from "./pool-access.js";
import { PostgresAlertStore } from "./postgres-alert-store.js";
import { PostgresChainStore } from "./postgres-chain-store.js";

/**
 * The stores of a deployment whose replicas listen for each other's changes: each write another
 * replica may have to act on is announced on the change feed once it has committed. A notice
 * that fails is logged and dropped: the change is in the database, and the other replicas' timers
 * find it a little later.
 */
export class ChangeNotices {
  constructor(
    private readonly pool: Pool,
    private readonly origin: string,
    private readonly onFailure: (error: unknown) => void,
  ) {}

  async send(change: StoreChange): Promise<void> {
    await notifyChange(this.pool, this.origin, change).catch(this.onFailure);
  }
}

/** The chain store, announcing decisions, ends, retries, re-runs and released leases. */
export class NotifyingChainStore extends PostgresChainStore {
  constructor(
    pool: Pool,
    url: string,
    private readonly notices: ChangeNotices,
  ) {
    super(pool, url);
  }

  override async decideApproval(decision: DecisionCommit): Promise<DecisionOutcome> {
    const outcome = await super.decideApproval(decision);
    if (outcome.applied) await this.notices.send({ kind: "run", runId: outcome.approval.runId });
    return outcome;
  }

  override async finishRun(finish: RunFinish): Promise<boolean> {
    const finished = await super.finishRun(finish);
    if (finished) await this.notices.send({ kind: "run", runId: finish.runId });
    return finished;
  }

  override async scheduleRetry(schedule: RetrySchedule): Promise<boolean> {
    const scheduled = await super.scheduleRetry(schedule);
    if (scheduled) await this.notices.send({ kind: "run", runId: schedule.guard.runId });
    return scheduled;
  }

  override async reopenRun(reopen: RunReopen): Promise<boolean> {
    const reopened = await super.reopenRun(reopen);
    if (reopened) await this.notices.send({ kind: "run", runId: reopen.runId });
    return reopened;
  }

  override async createRerun(rerun: NewRerun): Promise<void> {
    await super.createRerun(rerun);
    await this.notices.send({ kind: "run", runId: rerun.run.id });
  }

  /** A lease renewed into the past is the owner giving its runs up (it is stopping). */
  override async renewLeases(owner: string, leaseExpiresAt: number): Promise<number> {
    const renewed = await super.renewLeases(owner, leaseExpiresAt);
    if (renewed > 0 && leaseExpiresAt <= Date.now()) await this.notices.send({ kind: "runs-released" });
    return renewed;
  }
}

/** The alert store, announcing incidents whose thread is owed an update by this delivery. */
export class NotifyingAlertStore extends PostgresAlertStore {
  constructor(
    access: PoolAccess,
    ids: IdGenerator,
    private readonly notices: ChangeNotices,
  ) {
    super(access, ids);
  }

  override async recordDelivery(input: DeliveryInput): Promise<DeliveryOutcome> {
    const outcome = await super.recordDelivery(input);
    for (const change of outcome.changes) {
      if (change.change === "updated" || change.change === "resolved") await this.notices.send({ kind: "incident-updates", incidentId: change.incident.id });
    }
    return outcome;
  }
}
