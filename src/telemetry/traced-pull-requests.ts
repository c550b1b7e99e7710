import { SpanKind, SpanStatusCode, type Tracer } from "@opentelemetry/api";
import { isBatonError } from "../core/errors.js";
import type { PullRequestHost, PullRequestRef } from "../core/ports.js";
import type { RunTracer } from "./run-tracer.js";
import { BATON, ERROR_TYPE } from "./span-attributes.js";

/** The GitHub port with a span per call (`github createReview`), under the step that made it. */
export function tracedPullRequests(inner: PullRequestHost, tracer: Tracer, runs: RunTracer): PullRequestHost {
  async function traced<Result>(operation: string, ref: PullRequestRef, call: () => Promise<Result>): Promise<Result> {
    const { context, scope } = runs.currentParent();
    const attributes: Record<string, string | number> = { [BATON.githubRepository]: ref.repository, [BATON.githubPullRequest]: ref.number };
    if (scope) {
      attributes[BATON.runId] = scope.runId;
      attributes[BATON.chainId] = scope.chainId;
      if (scope.stepId !== undefined) attributes[BATON.stepId] = scope.stepId;
    }
    const span = tracer.startSpan(`github ${operation}`, { kind: SpanKind.CLIENT, attributes }, context);
    try {
      return await call();
    } catch (error) {
      span.setAttribute(ERROR_TYPE, isBatonError(error) ? error.code : "unknown");
      span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message.slice(0, 200) : String(error) });
      throw error;
    } finally {
      span.end();
    }
  }
  return {
    get: (ref) => traced("get", ref, () => inner.get(ref)),
    listFiles: (ref) => traced("listFiles", ref, () => inner.listFiles(ref)),
    listReviews: (ref) => traced("listReviews", ref, () => inner.listReviews(ref)),
    createReview: (ref, draft) => traced("createReview", ref, () => inner.createReview(ref, draft)),
    readFile: (ref, path, commit) => traced("readFile", ref, () => inner.readFile(ref, path, commit)),
  };
}
