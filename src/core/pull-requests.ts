/**
 * Pull requests on a code host (GitHub), as the IaC review needs them: the port, so the core
 * and chains never see Octokit. Re-exported by `ports.ts`.
 */

export interface PullRequestRef {
  /** `owner/name`. */
  repository: string;
  number: number;
}

export interface PullRequestInfo extends PullRequestRef {
  title: string;
  url: string;
  headSha: string;
  draft: boolean;
  state: "open" | "closed";
  merged: boolean;
}

export interface PullRequestFile {
  path: string;
  status: "added" | "removed" | "modified" | "renamed" | "copied" | "changed" | "unchanged";
  previousPath: string | undefined;
  /** The file's unified diff hunks; absent for binary files and very large diffs. */
  patch: string | undefined;
}

/** A comment on one line (or a range ending at `line`) of the new side of the diff. */
export interface ReviewComment {
  path: string;
  line: number;
  startLine?: number;
  body: string;
}

export interface ReviewDraft {
  /** The head commit the review was written for: GitHub anchors the comments to it. */
  commitId: string;
  event: "COMMENT" | "REQUEST_CHANGES";
  body: string;
  comments: ReviewComment[];
}

export interface PostedReview {
  id: number;
  url: string;
  commitId: string;
  body: string;
}

export interface PullRequestHost {
  /** Fails with PULL_REQUEST_NOT_FOUND, GITHUB_ACCESS_DENIED or GITHUB_UNAVAILABLE. */
  get(ref: PullRequestRef): Promise<PullRequestInfo>;
  listFiles(ref: PullRequestRef): Promise<PullRequestFile[]>;
  listReviews(ref: PullRequestRef): Promise<PostedReview[]>;
  createReview(ref: PullRequestRef, draft: ReviewDraft): Promise<PostedReview>;
  /** A file of the repository at a commit (the review's policy file); undefined when it does not exist. */
  readFile(ref: PullRequestRef, path: string, commit: string): Promise<string | undefined>;
}

/** `https://github.com/acme/infra/pull/42` (or a GitHub Enterprise host) → { acme/infra, 42 }. */
export function parsePullRequestUrl(text: string): PullRequestRef | undefined {
  const match = /^https?:\/\/[^/\s]+\/([A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+)\/pull\/(\d+)(?:[/?#].*)?$/.exec(text.trim());
  if (!match) return undefined;
  return { repository: match[1] as string, number: Number(match[2]) };
}

/** The files' patches as one unified diff (what a diff parser reads). */
export function unifiedDiffOf(files: ReadonlyArray<PullRequestFile>): string {
  return files
    .filter((file) => file.patch !== undefined)
    .map((file) => {
      const before = file.status === "added" ? "/dev/null" : `a/${file.previousPath ?? file.path}`;
      const after = file.status === "removed" ? "/dev/null" : `b/${file.path}`;
      return `diff --git a/${file.previousPath ?? file.path} b/${file.path}\n--- ${before}\n+++ ${after}\n${file.patch ?? ""}\n`;
    })
    .join("");
}

/** Lines of the new side of each file that a review comment may be put on (added and context lines of its hunks). */
export function commentableLines(diff: string): Map<string, Set<number>> {
  const files = new Map<string, Set<number>>();
  let current: Set<number> | undefined;
  let next = 0;
  for (const line of diff.split("\n")) {
    if (line.startsWith("+++ ")) {
      const path = line.slice(4).trim();
      if (path === "/dev/null") {
        current = undefined;
        continue;
      }
      const name = path.startsWith("b/") ? path.slice(2) : path;
      current = files.get(name) ?? new Set<number>();
      files.set(name, current);
      continue;
    }
    const hunk = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@/.exec(line);
    if (hunk) {
      next = Number(hunk[1]);
      continue;
    }
    if (!current || line.startsWith("--- ") || line.startsWith("diff ") || line.startsWith("\\")) continue;
    if (line.startsWith("+") || line.startsWith(" ")) {
      current.add(next);
      next += 1;
    }
  }
  return files;
}
