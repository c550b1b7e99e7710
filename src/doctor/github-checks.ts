import type { RepositoryAccess } from "../github/repository-access.js";
import { failed, passed, warned, type CheckResult } from "./check-result.js";

/** GitHub: GITHUB_TOKEN can read each repository in BATON_REVIEW_REPOSITORIES. */

export interface RepositoryReader {
  check(repository: string): Promise<RepositoryAccess>;
}

export async function checkGitHub(reader: RepositoryReader | undefined, repositories: ReadonlyArray<string>): Promise<CheckResult[]> {
  if (reader === undefined) {
    return [
      warned(
        "github",
        "GitHub (GITHUB_TOKEN)",
        "not configured: pull request reviews cannot read or post to GitHub",
        "Set GITHUB_TOKEN to review pull requests; nothing else needs it.",
      ),
    ];
  }
  if (repositories.length === 0) {
    return [
      warned(
        "github",
        "GitHub repositories (BATON_REVIEW_REPOSITORIES)",
        "none listed, so the token's access was not checked",
        "List the repositories baton reviews (owner/name, comma-separated) in BATON_REVIEW_REPOSITORIES to have them checked.",
      ),
    ];
  }
  const results: CheckResult[] = [];
  for (const repository of repositories) {
    const checked = `GitHub repository ${repository}`;
    const access = await reader.check(repository);
    if (access.kind === "readable") results.push(passed("github", checked, `GITHUB_TOKEN can read it${access.isPrivate ? " (private)" : ""}`));
    else if (access.kind === "not_found") {
      results.push(
        failed(
          "github",
          checked,
          "GitHub answered 404: it does not exist, or GITHUB_TOKEN cannot see it",
          `Check the name, and give GITHUB_TOKEN access to ${repository} (fine-grained token: Repository access, with Contents and Pull requests read).`,
        ),
      );
    } else if (access.kind === "refused") {
      results.push(
        failed(
          "github",
          checked,
          `GitHub refused the token (HTTP ${String(access.status)}): ${access.message}`,
          "Replace GITHUB_TOKEN if it expired or was revoked; for an organisation with SSO, authorise the token for it.",
        ),
      );
    } else {
      results.push(
        failed(
          "github",
          checked,
          `no answer from GitHub: ${access.message}`,
          "Check GITHUB_API_URL (GitHub Enterprise: https://<host>/api/v3; unset it for github.com) and that GitHub is reachable from here.",
        ),
      );
    }
  }
  return results;
}
