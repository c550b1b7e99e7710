import { Octokit } from "@octokit/rest";
import { describeError } from "../core/errors.js";

/**
 * Can GITHUB_TOKEN read a repository? `GET /repos/{owner}/{repo}` (GitHub REST docs,
 * "Get a repository"): 200 with the repository, 404 when it does not exist *or* the token cannot
 * see it (GitHub hides private repositories that way), 401 for a bad or expired token, 403 when
 * the token is refused (SSO not authorised, blocked, or rate-limited).
 */

export type RepositoryAccess =
  | { kind: "readable"; fullName: string; isPrivate: boolean }
  | { kind: "not_found" }
  | { kind: "refused"; status: number; message: string }
  | { kind: "unreachable"; message: string };

function statusOf(error: unknown): number | undefined {
  if (typeof error === "object" && error !== null && "status" in error && typeof error.status === "number") return error.status;
  return undefined;
}

export class GitHubRepositoryAccess {
  readonly #octokit: Octokit;

  constructor(options: { token: string; apiUrl: string | undefined; timeoutMs?: number }) {
    this.#octokit = new Octokit({
      auth: options.token,
      ...(options.apiUrl === undefined ? {} : { baseUrl: options.apiUrl.replace(/\/$/, "") }),
      userAgent: "baton-doctor",
      request: { timeout: options.timeoutMs ?? 10_000, retries: 0 },
      log: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
    });
  }

  async check(repository: string): Promise<RepositoryAccess> {
    const [owner = "", repo = ""] = repository.split("/");
    try {
      const { data } = await this.#octokit.rest.repos.get({ owner, repo });
      return { kind: "readable", fullName: data.full_name, isPrivate: data.private };
    } catch (error) {
      const status = statusOf(error);
      if (status === 404) return { kind: "not_found" };
      if (status === 401 || status === 403) return { kind: "refused", status, message: describeError(error) };
      return { kind: "unreachable", message: describeError(error) };
    }
  }
}
