import type { ChainResources } from "./chain.js";
import type { ChainRegistry } from "./chain-registry.js";
import type { EventBus } from "./event-bus.js";
import type { ContextLimits } from "./context-budget.js";
import type {
  ApprovalRecord,
  AuditEventInput,
  ChainStore,
  Clock,
  IdGenerator,
  LlmClient,
  Logger,
  Notifier,
  RunFailure,
  RunOrigin,
  RunRetry,
  RunStatus,
  StepUsage,
  TokenCounter,
} from "./ports.js";
import type { PriceTable } from "./pricing.js";
import type { Semaphore } from "./semaphore.js";

/** What the runner tells its subscribers (Slack cards, metrics, the terminal). */
export interface RunnerEvents {
  "run.started": { runId: string; chainId: string; startedBy: string; origin: RunOrigin | null };
  "step.started": { runId: string; chainId: string; stepId: string; stepIndex: number };
  "step.finished": {
    runId: string;
    chainId: string;
    stepId: string;
    stepIndex: number;
    status: "succeeded" | "skipped";
    output: unknown;
    usage: StepUsage;
    durationMs: number;
  };
  /** The audit entries one execution of a step produced (model calls with model, tokens and cost; invalid outputs), whatever became of the step. */
  "step.audited": { runId: string; chainId: string; stepId: string; entries: ReadonlyArray<AuditEventInput> };
  "approval.requested": { approval: ApprovalRecord };
  "approval.decided": { approval: ApprovalRecord };
  "run.finished": { runId: string; chainId: string; status: RunStatus; error: RunFailure | null };
  /** A step met a transient fault: the run waits (still `running`, unleased) until `retry.nextAttemptAt`. */
  "run.waiting": { runId: string; chainId: string; retry: RunRetry };
  /** A waiting run was taken up again for its next try. */
  "run.resumed": { runId: string; chainId: string; attempt: number };
}

export interface RunnerOptions {
  store: ChainStore;
  llm: LlmClient;
  chains: ChainRegistry;
  notifier: Notifier;
  clock: Clock;
  ids: IdGenerator;
  logger: Logger;
  /** This process's lease owner id (see `src/runtime/process-owner.ts`). */
  owner: string;
  /** Whether another owner's process still lives; dead owners' runs are taken over at once. */
  isOwnerAlive?: (owner: string) => boolean;
  /** How long a claim on a running run lasts without renewal. Default 60 s. */
  leaseMs?: number;
  defaultModel: string;
  fallbackModels?: ReadonlyArray<string>;
  prices: PriceTable;
  /** Counts prompt tokens as each model's tokenizer does (the adapter in `src/llm`). */
  tokens: TokenCounter;
  /** Models' context windows. Default: the built-in table (`context-budget.ts`). */
  contextLimits?: ContextLimits;
  /** Model calls in flight at once, across runs. Default 8. */
  modelConcurrency?: number;
  /** Lent to action steps (incident lookups, ...). Default: none. */
  resources?: ChainResources;
}

/** Everything the executor borrows from the runner: its options with defaults filled in. */
export type ExecutionEnvironment = Pick<
  RunnerOptions,
  "store" | "llm" | "chains" | "notifier" | "clock" | "ids" | "logger" | "owner" | "defaultModel" | "prices" | "tokens"
> & {
  contextLimits: ContextLimits;
  resources: ChainResources;
  leaseMs: number;
  fallbackModels: ReadonlyArray<string>;
  semaphore: Semaphore;
  events: EventBus<RunnerEvents>;
};
