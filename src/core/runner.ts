import { DEFAULT_CONTEXT_LIMITS } from "./context-budget.js";
import type { Actor } from "./approval-rules.js";
import type { DecisionRequest } from "./decision.js";
import { BatonError, describeError } from "./errors.js";
import { EventBus } from "./event-bus.js";
import { runFieldsOf } from "./log-fields.js";
import type { RunOrigin, RunRecord } from "./ports.js";
import { cancelAndAbort, decideApproval, requireRun, type DecisionResult } from "./run-decisions.js";
import { expireApproval, recordUnexpectedFailure } from "./run-endings.js";
import { executeRun } from "./run-executor.js";
import { rerunRun, resumeDueRetries, retryRun, type RerunRequest } from "./run-recovery.js";
import type { ExecutionEnvironment, RunnerEvents, RunnerOptions } from "./runner-types.js";
import { LeaseHeartbeat } from "./lease-heartbeat.js";
import { Semaphore } from "./semaphore.js";
import { listIssues, parseWith } from "./validation.js";

export type { RunnerEvents, RunnerOptions } from "./runner-types.js";
export type { DecisionRequest } from "./decision.js";
export type { RerunRequest } from "./run-recovery.js";
export type { DecisionResult } from "./run-decisions.js";

export interface StartOptions {
  startedBy: string;
  origin?: RunOrigin;
  /**
   * Start idempotently under this id: if a run with it exists, that run is the answer and
   * nothing starts (an alert's incident, retried after a crash, starts one run).
   */
  runId?: string;
}

/**
 * The durable runner: starts runs, executes them step by step through the store, rests them at
 * approvals, applies decisions exactly once, and picks up runs a dead process left behind.
 */
export class Runner {
  readonly events: EventBus<RunnerEvents>;
  readonly #environment: ExecutionEnvironment;
  readonly #isOwnerAlive: (owner: string) => boolean;
  readonly #active = new Map<string, { promise: Promise<RunRecord | undefined>; controller: AbortController }>();
  readonly #heartbeat: LeaseHeartbeat;
  #closed = false;

  constructor(options: RunnerOptions) {
    const logger = options.logger;
    this.events = new EventBus<RunnerEvents>((type, error, payload) =>
      logger.error({ ...runFieldsOf(payload), event: String(type), error: describeError(error) }, "a runner event listener failed"),
    );
    this.#isOwnerAlive = options.isOwnerAlive ?? (() => true);
    this.#environment = {
      store: options.store,
      llm: options.llm,
      chains: options.chains,
      notifier: options.notifier,
      clock: options.clock,
      ids: options.ids,
      logger,
      owner: options.owner,
      leaseMs: options.leaseMs ?? 60_000,
      defaultModel: options.defaultModel,
      fallbackModels: options.fallbackModels ?? [],
      prices: options.prices,
      tokens: options.tokens,
      contextLimits: options.contextLimits ?? DEFAULT_CONTEXT_LIMITS,
      resources: options.resources ?? {},
      semaphore: new Semaphore(options.modelConcurrency ?? 8),
      events: this.events,
    };
    const { store, clock, owner, leaseMs } = this.#environment;
    this.#heartbeat = new LeaseHeartbeat({ store, clock, owner, leaseMs, logger });
  }

  /** Validate the input, record the run, and start executing it. Resolves once it is durable. */
  async start(chainId: string, input: unknown, options: StartOptions): Promise<{ runId: string }> {
    const { chains, store, clock, ids, owner, leaseMs } = this.#environment;
    const chain = chains.get(chainId);
    const parsed = parseWith(chain.input, input);
    if (!parsed.ok) {
      throw new BatonError(
        "INPUT_INVALID",
        `The input does not fit chain "${chainId}":\n${listIssues(parsed.issues)}\nFix these fields and start the run again.`,
        {
          chainId,
          issues: parsed.issues,
        },
      );
    }
    if (options.runId !== undefined && (await store.getRun(options.runId))) return { runId: options.runId };
    const runId = options.runId ?? ids.next("r_");
    const at = clock.now();
    const origin = options.origin ?? null;
    const run: RunRecord = {
      id: runId,
      chainId,
      status: "running",
      cursor: 0,
      stepCount: chain.steps.length,
      input: parsed.value,
      startedBy: options.startedBy,
      origin,
      createdAt: at,
      updatedAt: at,
      finishedAt: null,
      error: null,
      leaseOwner: owner,
      leaseExpiresAt: at + leaseMs,
    };
    try {
      await store.createRun(
        {
          id: runId,
          chainId,
          stepCount: run.stepCount,
          input: run.input,
          startedBy: run.startedBy,
          origin,
          at,
          leaseOwner: owner,
          leaseExpiresAt: at + leaseMs,
        },
        [{ runId, at, type: "run.started", stepId: null, actor: options.startedBy, data: origin ? { origin } : {} }],
      );
    } catch (error) {
      // Another process started the same id first: that run is the answer.
      if (options.runId !== undefined && (await store.getRun(options.runId))) return { runId: options.runId };
      throw error;
    }
    this.events.emit("run.started", { runId, chainId, startedBy: options.startedBy, origin });
    this.#schedule(run);
    return { runId };
  }

  /** Apply a human decision to a pending approval, exactly once (compare-and-set). */
  decide(approvalId: string, request: DecisionRequest, actor: Actor): Promise<DecisionResult> {
    return decideApproval(this.#environment, approvalId, request, actor, (run) => this.#schedule(run));
  }

  /** Stop a run that is running or waiting; an in-flight model call is aborted. */
  cancel(runId: string, actor: string, reason = ""): Promise<void> {
    return cancelAndAbort(this.#environment, runId, actor, reason, (error) => this.#active.get(runId)?.controller.abort(error));
  }

  /**
   * End a run whose approval passed its deadline: the approval becomes `expired` and the run ends
   * `expired`. Never approves anything. False when someone decided (or cancelled) first.
   */
  expire(approvalId: string): Promise<boolean> {
    return expireApproval(this.#environment, this.events, approvalId);
  }

  /**
   * Take over every run left `running` by a process that is gone (its lease expired, or its
   * process id is dead on this host) and execute it from its cursor. Returns the run ids.
   */
  async recover(): Promise<string[]> {
    const { store, clock, owner, leaseMs } = this.#environment;
    const recovered: string[] = [];
    for (const run of await store.listRunsInFlight()) {
      if (this.#active.has(run.id) || !this.#isAbandoned(run)) continue;
      // A run waiting out an outage holds no lease: it keeps its schedule (resumeDue takes it up).
      if (run.leaseOwner === null && ((await store.getRetry(run.id))?.nextAttemptAt ?? 0) > clock.now()) continue;
      const at = clock.now();
      const claimed = await store.claimRun({
        runId: run.id,
        expectedOwner: run.leaseOwner,
        owner,
        leaseExpiresAt: at + leaseMs,
        at,
        events: [{ runId: run.id, at, type: "run.recovered", stepId: null, actor: null, data: { previousOwner: run.leaseOwner, cursor: run.cursor } }],
      });
      if (!claimed) continue;
      const claimedRun = await store.getRun(run.id);
      if (!claimedRun) continue;
      recovered.push(run.id);
      this.#schedule(claimedRun);
    }
    return recovered;
  }

  /**
   * Take up the waiting runs whose next try is due (a step that met a transient fault); the
   * retry job calls this on a timer. Returns the run ids.
   */
  resumeDue(): Promise<string[]> {
    if (this.#closed) return Promise.resolve([]);
    return resumeDueRetries(
      this.#environment,
      (runId) => this.#active.has(runId),
      (run) => this.#schedule(run),
    );
  }

  /** Continue a failed or expired run from the step that did not finish (`baton retry`); once, however many ask. */
  async retry(runId: string, actor: string): Promise<{ runId: string }> {
    await retryRun(this.#environment, runId, actor, (run) => this.#schedule(run));
    return { runId };
  }

  /** Start a new run from a step of a finished one, copying the outputs before it (`baton rerun`). */
  async rerun(runId: string, request: RerunRequest): Promise<{ runId: string }> {
    const run = await rerunRun(this.#environment, runId, request, (created) => this.#schedule(created));
    return { runId: run.id };
  }

  /** Resolves when the run is no longer executing here, with its current record. */
  async settled(runId: string): Promise<RunRecord> {
    let rested: RunRecord | undefined;
    for (let execution = this.#active.get(runId); execution; execution = this.#active.get(runId)) rested = await execution.promise;
    // The executor knows what it committed last; read the store only when it does not.
    return rested ?? this.#getRun(runId);
  }

  /** Resolves when nothing is executing in this process. */
  async idle(): Promise<void> {
    while (this.#active.size > 0) await Promise.all([...this.#active.values()].map((execution) => execution.promise));
  }

  get activeRuns(): number {
    return this.#active.size;
  }

  /**
   * Stop taking work, abort in-flight steps and hand their leases back (expired now) so the next
   * process picks them up at once; their current step repeats there.
   */
  async close(): Promise<void> {
    this.#closed = true;
    for (const execution of this.#active.values()) execution.controller.abort(new Error("runner closing"));
    await Promise.allSettled([...this.#active.values()].map((execution) => execution.promise));
    this.#heartbeat.stop();
    const { store, clock, owner } = this.#environment;
    await store.renewLeases(owner, clock.now() - 1);
  }

  #isAbandoned(run: RunRecord): boolean {
    if (run.leaseOwner === null || run.leaseExpiresAt === null) return true;
    if (run.leaseExpiresAt < this.#environment.clock.now()) return true;
    if (run.leaseOwner === this.#environment.owner) return false;
    return !this.#isOwnerAlive(run.leaseOwner);
  }

  #getRun(runId: string): Promise<RunRecord> {
    return requireRun(this.#environment.store, runId);
  }

  #schedule(run: RunRecord): void {
    if (this.#closed || this.#active.has(run.id) || run.status !== "running") return;
    const environment = this.#environment;
    const controller = new AbortController();
    const promise = (async (): Promise<RunRecord | undefined> => {
      try {
        return await executeRun(environment, run, environment.chains.get(run.chainId), controller.signal);
      } catch (error) {
        if (controller.signal.aborted) return undefined;
        await this.#failUnexpectedly(run, error);
        return undefined;
      } finally {
        this.#active.delete(run.id);
        if (this.#active.size === 0) this.#heartbeat.stop();
      }
    })();
    this.#active.set(run.id, { promise, controller });
    this.#heartbeat.start();
  }

  #failUnexpectedly(run: RunRecord, error: unknown): Promise<void> {
    return recordUnexpectedFailure(this.#environment, this.events, run, error);
  }
}
