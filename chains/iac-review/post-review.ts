import type { ActionServices } from "../../src/chain-api.js";
import type { ReviewDraft } from "./schemas.js";

/**
 * Post the approved review to the pull request — once. The review carries an invisible marker
 * with the run id; if the process dies after GitHub accepted it but before baton recorded it,
 * the repeated step finds the review by its marker instead of posting a second one. A head
 * that moved since the review was written is not reviewed stale: a review of the new head is
 * started instead, and nothing is posted.
 */

export type PostOutcome =
  | { posted: true; reviewId: number; url: string; event: ReviewDraft["event"]; comments: number }
  | { posted: false; reason: string; rerunId?: string };

export async function postReview(
  services: ActionServices,
  runId: string,
  target: { repository: string; number: number; headSha?: string | undefined } | undefined,
  draft: ReviewDraft,
): Promise<PostOutcome> {
  if (!target) return { posted: false, reason: "no pull request: the review is in this thread only" };
  const host = services.resources.pullRequests;
  if (!host) return { posted: false, reason: "baton has no GitHub access (set GITHUB_TOKEN); the review is in this thread only" };
  const ref = { repository: target.repository, number: target.number };
  const pull = await host.get(ref);
  if (target.headSha !== undefined && pull.headSha !== target.headSha) {
    const rerun = await services.resources.reviews?.reviewPullRequest(ref, `baton:stale-head:${runId}`);
    return {
      posted: false,
      reason: `the pull request moved from ${target.headSha.slice(0, 7)} to ${pull.headSha.slice(0, 7)} while this review waited; ${rerun?.started ? `the new head is reviewed in run ${rerun.runId}` : "the new head needs a new review"}`,
      ...(rerun?.started ? { rerunId: rerun.runId } : {}),
    };
  }
  const marker = `<!-- baton-review run=${runId} -->`;
  const posted = await services.once(async () => {
    const existing = (await host.listReviews(ref)).find((review) => review.body.includes(marker));
    if (existing) return { reviewId: existing.id, url: existing.url };
    const review = await host.createReview(ref, {
      commitId: target.headSha ?? pull.headSha,
      event: draft.event,
      body: `${draft.body}\n\n${marker}`,
      comments: draft.comments,
    });
    return { reviewId: review.id, url: review.url };
  });
  return { posted: true, reviewId: posted.reviewId, url: posted.url, event: draft.event, comments: draft.comments.length };
}
