/**
 * The test kit, baton's second public entry: `import { testChain } from "baton/testing"` in a
 * chain's test (vitest). `baton test` runs on the same engine. Everything else here is internal.
 */
export { testChain, readEvalCases, type ChainTestOptions } from "./test-chain.js";
export type { ChainTestResult, CheckResult, TestApproval } from "./run-scenario.js";
export type { ModelCall } from "./test-model.js";
export type { StepDecisions, TestDecision, TestExpectations } from "./test-plan.js";
export type { EvalCase } from "../evals/eval-case.js";
export type { Notification } from "../core/ports.js";
