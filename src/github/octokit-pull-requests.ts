import { Octokit } from "@octokit/rest";
import { BatonError, describeError } from "../core/errors.js";
import type { PostedReview, PullRequestFile, PullRequestHost, PullRequestInfo, PullRequestRef, ReviewDraft } from "../core/ports.js";

/**
 * The `PullRequestHost` port on GitHub's REST API through Octokit. `GITHUB_API_URL` points it
 * at GitHub Enterprise (`https://ghe.example.com/api/v3`) or at the tests' fake. HTTP failures
 * become BatonErrors that say what to do: 404 → the pull request is gone (or the token cannot
 * see it), 401/403 → the token lacks access, anything else → GitHub is unavailable.
 */

export interface OctokitPullRequestsOptions {
  token: string;
  apiUrl?: string;
  /** Per-request timeout. Default 10 s. */
  timeoutMs?: number;
}

function statusOf(error: unknown): number | undefined {
  if (typeof error === "object" && error !== null && "status" in error && typeof error.status === "number") return error.status;
  return undefined;
}

/**
 * GitHub's `retry-after` header in ms, when it sent one: "If the retry-after response header is
 * present, you should not retry your request until after that many seconds has elapsed" (GitHub
 * REST docs, "Best practices for using the REST API"). GitHub documents seconds; anything else is
 * ignored (the policy's backoff applies).
 */
function retryAfterMsOf(error: unknown): number | undefined {
  const headers =
    typeof error === "object" && error !== null && "response" in error
      ? (error as { response?: { headers?: Record<string, unknown> } }).response?.headers
      : undefined;
  const value = headers?.["retry-after"];
  if (typeof value !== "string" || value.trim() === "") return undefined;
  const seconds = Number(value);
  return Number.isFinite(seconds) ? Math.max(0, seconds * 1000) : undefined;
}

/** GitHub's own explanation of a 422 (`errors`), or the message. */
function githubErrors(error: unknown): string {
  const data =
    typeof error === "object" && error !== null && "response" in error
      ? (error as { response?: { data?: { message?: unknown; errors?: unknown } } }).response?.data
      : undefined;
  const details = Array.isArray(data?.errors) ? data.errors.map((item: unknown) => (typeof item === "string" ? item : JSON.stringify(item))).join("; ") : "";
  return details || (typeof data?.message === "string" ? data.message : describeError(error));
}

function split(ref: PullRequestRef): { owner: string; repo: string; pull_number: number } {
  const [owner = "", repo = ""] = ref.repository.split("/");
  return { owner, repo, pull_number: ref.number };
}

function toBatonError(error: unknown, ref: PullRequestRef, doing: string): BatonError {
  const status = statusOf(error);
  const where = `${ref.repository}#${String(ref.number)}`;
  if (status === 404) {
    return new BatonError(
      "PULL_REQUEST_NOT_FOUND",
      `GitHub has no pull request ${where} (or GITHUB_TOKEN cannot see the repository). Check the repository and number, and that the token has access to ${ref.repository}.`,
      { ...ref, status },
      { cause: error },
    );
  }
  if (status === 401 || status === 403) {
    return new BatonError(
      "GITHUB_ACCESS_DENIED",
      `GitHub refused to let baton ${doing} on ${where} (HTTP ${String(status)}). Give GITHUB_TOKEN read access to pull requests and contents of ${ref.repository} (and write access to pull requests to post reviews), or replace an expired token.`,
      { ...ref, status },
      { cause: error },
    );
  }
  if (status === 422) {
    return new BatonError(
      "GITHUB_REJECTED",
      `GitHub refused to ${doing} on ${where}: ${githubErrors(error)}. This is a bug in what baton sent; the run keeps the review so it can be posted by hand.`,
      { ...ref, status },
      { cause: error },
    );
  }
  // The step's retry policy reads `retryAfterMs` (step-errors.ts) and waits at least that long.
  const retryAfterMs = retryAfterMsOf(error);
  return new BatonError(
    "GITHUB_UNAVAILABLE",
    `Could not ${doing} on ${where}: ${describeError(error)}. GitHub may be down or unreachable (check GITHUB_API_URL); baton tries again when the step is retried.`,
    { ...ref, ...(status === undefined ? {} : { status }), ...(retryAfterMs === undefined ? {} : { retryAfterMs }) },
    { cause: error },
  );
}

export class OctokitPullRequests implements PullRequestHost {
  readonly #octokit: Octokit;

  constructor(options: OctokitPullRequestsOptions) {
    this.#octokit = new Octokit({
      auth: options.token,
      ...(options.apiUrl === undefined ? {} : { baseUrl: options.apiUrl.replace(/\/$/, "") }),
      userAgent: "baton-iac-review",
      request: { timeout: options.timeoutMs ?? 10_000 },
      log: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
    });
  }

  async get(ref: PullRequestRef): Promise<PullRequestInfo> {
    try {
      const { data } = await this.#octokit.rest.pulls.get(split(ref));
      return {
        ...ref,
        title: data.title,
        url: data.html_url,
        headSha: data.head.sha,
        draft: data.draft === true,
        state: data.state === "closed" ? "closed" : "open",
        merged: data.merged === true,
      };
    } catch (error) {
      throw toBatonError(error, ref, "read the pull request");
    }
  }

  async listFiles(ref: PullRequestRef): Promise<PullRequestFile[]> {
    try {
      // GitHub lists at most 3,000 files per pull request, 100 per page.
      const files = await this.#octokit.paginate(this.#octokit.rest.pulls.listFiles, { ...split(ref), per_page: 100 });
      return files.map((file) => ({ path: file.filename, status: file.status, previousPath: file.previous_filename, patch: file.patch }));
    } catch (error) {
      throw toBatonError(error, ref, "list the pull request's files");
    }
  }

  async listReviews(ref: PullRequestRef): Promise<PostedReview[]> {
    try {
      const reviews = await this.#octokit.paginate(this.#octokit.rest.pulls.listReviews, { ...split(ref), per_page: 100 });
      return reviews.map((review) => ({ id: review.id, url: review.html_url, commitId: review.commit_id ?? "", body: review.body }));
    } catch (error) {
      throw toBatonError(error, ref, "list the pull request's reviews");
    }
  }

  async readFile(ref: PullRequestRef, path: string, commit: string): Promise<string | undefined> {
    const { owner, repo } = split(ref);
    try {
      const { data } = await this.#octokit.rest.repos.getContent({ owner, repo, path, ref: commit });
      if (Array.isArray(data) || data.type !== "file" || !("content" in data)) return undefined;
      return Buffer.from(data.content, "base64").toString("utf8");
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw toBatonError(error, ref, `read ${path}`);
    }
  }

  async createReview(ref: PullRequestRef, draft: ReviewDraft): Promise<PostedReview> {
    try {
      const { data } = await this.#octokit.rest.pulls.createReview({
        ...split(ref),
        commit_id: draft.commitId,
        event: draft.event,
        body: draft.body,
        comments: draft.comments.map((comment) => ({
          path: comment.path,
          line: comment.line,
          side: "RIGHT",
          ...(comment.startLine === undefined || comment.startLine >= comment.line ? {} : { start_line: comment.startLine, start_side: "RIGHT" }),
          body: comment.body,
        })),
      });
      return { id: data.id, url: data.html_url, commitId: data.commit_id ?? draft.commitId, body: data.body };
    } catch (error) {
      throw toBatonError(error, ref, "post a review");
    }
  }
}
