import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * GitHub's REST API on loopback, as much of it as the IaC review uses: a pull request, its
 * files (paginated with a Link header, as GitHub does), its reviews, and creating one. Like
 * GitHub, a review comment on a line that is not part of the diff is refused with 422. Tests
 * set pull requests, make the next call to a path fail, and read what was posted.
 */

export interface FakePullRequest {
  title?: string;
  headSha: string;
  draft?: boolean;
  state?: "open" | "closed";
  files: Array<{ path: string; status?: string; patch?: string; previousPath?: string }>;
  /** Files of the repository at the head (GET /repos/{o}/{r}/contents/{path}?ref=). */
  contents?: Record<string, string>;
}

export interface FailureOptions {
  /** Only requests with this method fail (e.g. "POST": the review is posted, the reads still work). */
  method?: string;
  /** Seconds in a `retry-after` header, which GitHub sends when a client should wait that long before trying again. */
  retryAfterSeconds?: number;
}

/**
 * GitHub's error bodies are JSON with a `message` (docs.github.com/en/rest/using-the-rest-api/troubleshooting-the-rest-api:
 * a request GitHub gave up on answers with a 5xx and "Server Error"); a `retry-after` header says
 * how many seconds to wait before trying again (".../best-practices-for-using-the-rest-api",
 * "Handle rate limit errors appropriately").
 */
function errorMessageOf(status: number): string {
  if (status === 404) return "Not Found";
  if (status === 403) return "Resource not accessible by integration";
  return status >= 500 ? "Server Error" : "Error";
}

export interface PostedReviewRecord {
  repository: string;
  number: number;
  body: {
    commit_id?: string;
    event?: string;
    body?: string;
    comments?: Array<{ path: string; line: number; start_line?: number; side?: string; body: string }>;
  };
}

export interface FakeGitHubServer {
  readonly apiUrl: string;
  readonly reviews: PostedReviewRecord[];
  readonly requests: Array<{ method: string; path: string; authorization: string | undefined }>;
  setPullRequest(repository: string, number: number, pullRequest: FakePullRequest): void;
  /** Called when a review is stored, before GitHub's answer is sent (a test can kill the poster here). */
  onReviewPosted: ((review: PostedReviewRecord) => void) | undefined;
  /** A repository `GET /repos/{owner}/{repo}` answers (others: 404, as for one the token cannot see). */
  setRepository(fullName: string, repository?: { private?: boolean }): void;
  /** The one token GitHub accepts; others get 401 "Bad credentials". Default: any token. */
  setToken(token: string): void;
  /**
   * The next `times` requests whose path (and `method`, when given) match fail with `status` and
   * GitHub's error body; `retryAfterSeconds` adds GitHub's `retry-after` header to each.
   */
  failNext(path: RegExp, status: number, times?: number, options?: FailureOptions): void;
  close(): Promise<void>;
}

/** Lines of the new file a comment may be put on: added and context lines of each hunk. */
export function commentableLines(patch: string): Set<number> {
  const lines = new Set<number>();
  let next = 0;
  for (const line of patch.split("\n")) {
    const hunk = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@/.exec(line);
    if (hunk) {
      next = Number(hunk[1]);
      continue;
    }
    if (line.startsWith("-") || line.startsWith("\\")) continue;
    if (line.startsWith("+") || line.startsWith(" ")) {
      lines.add(next);
      next += 1;
    }
  }
  return lines;
}

function send(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text), ...headers });
  response.end(text);
}

async function readBody(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  return text === "" ? {} : (JSON.parse(text) as unknown);
}

interface RepositoryAccessState {
  repositories: Map<string, { private?: boolean }>;
  token: string | undefined;
}

/**
 * The token check and "Get a repository" (GitHub REST docs, `GET /repos/{owner}/{repo}`): a token
 * GitHub does not know gets 401 `Bad credentials` on any route; a repository that does not exist
 * or that the token cannot see gets 404 `Not Found` (GitHub hides private repositories that way).
 * Returns false when the request is for another route.
 */
function answerRepositoryAccess(request: IncomingMessage, response: ServerResponse, path: string, state: RepositoryAccessState): boolean {
  if (state.token !== undefined && request.headers.authorization !== `token ${state.token}` && request.headers.authorization !== `Bearer ${state.token}`) {
    request.resume();
    send(response, 401, { message: "Bad credentials", documentation_url: "https://docs.github.com/rest", status: "401" });
    return true;
  }
  const match = /^\/repos\/([^/]+)\/([^/]+)$/.exec(path);
  if (!match || request.method !== "GET") return false;
  const fullName = `${match[1] ?? ""}/${match[2] ?? ""}`;
  const repository = state.repositories.get(fullName);
  request.resume();
  if (!repository) send(response, 404, { message: "Not Found", documentation_url: "https://docs.github.com/rest/repos/repos#get-a-repository", status: "404" });
  else
    send(response, 200, {
      id: 1,
      name: match[2],
      full_name: fullName,
      private: repository.private === true,
      html_url: `https://github.example/${fullName}`,
      default_branch: "main",
      permissions: { admin: false, maintain: false, push: true, triage: true, pull: true },
    });
  return true;
}

export async function startFakeGitHubServer(): Promise<FakeGitHubServer> {
  const access: RepositoryAccessState = { repositories: new Map(), token: undefined };
  const pulls = new Map<string, FakePullRequest>();
  const reviews: PostedReviewRecord[] = [];
  const requests: FakeGitHubServer["requests"] = [];
  const failures: Array<{ path: RegExp; status: number; options: FailureOptions }> = [];
  let reviewIds = 1000;
  let baseUrl = "";

  const server = createServer((request, response) => {
    void (async () => {
      const url = new URL(request.url ?? "/", "http://localhost");
      const path = url.pathname.replace(/^\/api\/v3/, "");
      requests.push({ method: request.method ?? "GET", path, authorization: request.headers.authorization });
      const failure = failures.findIndex((item) => item.path.test(path) && (item.options.method === undefined || item.options.method === request.method));
      if (failure >= 0) {
        const [failed] = failures.splice(failure, 1);
        const status = failed?.status ?? 500;
        const retryAfter = failed?.options.retryAfterSeconds;
        request.resume();
        return send(
          response,
          status,
          { message: errorMessageOf(status), documentation_url: "https://docs.github.com/rest" },
          retryAfter === undefined ? {} : { "retry-after": String(retryAfter) },
        );
      }
      if (answerRepositoryAccess(request, response, path, access)) return;
      const content = /^\/repos\/([^/]+\/[^/]+)\/contents\/(.+)$/.exec(path);
      if (content && request.method === "GET") {
        const ref = url.searchParams.get("ref") ?? "";
        const pull = [...pulls.entries()].find(([key, value]) => key.startsWith(`${content[1] ?? ""}#`) && value.headSha === ref)?.[1];
        const text = pull?.contents?.[decodeURIComponent(content[2] ?? "")];
        if (text === undefined) return send(response, 404, { message: "Not Found" });
        return send(response, 200, { type: "file", encoding: "base64", content: Buffer.from(text).toString("base64"), path: content[2], sha: "0" });
      }
      const match = /^\/repos\/([^/]+\/[^/]+)\/pulls\/(\d+)(\/files|\/reviews)?$/.exec(path);
      const key = match ? `${match[1] as string}#${match[2] as string}` : "";
      const pull = pulls.get(key);
      if (!match || !pull) {
        request.resume();
        return send(response, 404, { message: "Not Found" });
      }
      const [, repository = "", number = "0", tail] = match;
      if (request.method === "GET" && tail === undefined) {
        return send(response, 200, {
          number: Number(number),
          title: pull.title ?? "Change infrastructure",
          html_url: `https://github.example/${repository}/pull/${number}`,
          state: pull.state ?? "open",
          draft: pull.draft === true,
          merged: false,
          head: { sha: pull.headSha, ref: "feature" },
          base: { ref: "main" },
        });
      }
      if (request.method === "GET" && tail === "/files") {
        const perPage = Number(url.searchParams.get("per_page") ?? "30");
        const page = Number(url.searchParams.get("page") ?? "1");
        const slice = pull.files.slice((page - 1) * perPage, page * perPage);
        const last = Math.max(1, Math.ceil(pull.files.length / perPage));
        const link: Record<string, string> =
          page < last
            ? {
                link: `<${baseUrl}${path}?per_page=${String(perPage)}&page=${String(page + 1)}>; rel="next", <${baseUrl}${path}?per_page=${String(perPage)}&page=${String(last)}>; rel="last"`,
              }
            : {};
        return send(
          response,
          200,
          slice.map((file) => ({
            filename: file.path,
            status: file.status ?? "modified",
            patch: file.patch,
            previous_filename: file.previousPath,
            additions: 1,
            deletions: 0,
            changes: 1,
            sha: "0",
          })),
          link,
        );
      }
      if (request.method === "GET" && tail === "/reviews") {
        return send(
          response,
          200,
          reviews
            .filter((review) => review.repository === repository && review.number === Number(number))
            .map((review, index) => ({
              id: 1000 + index + 1,
              body: review.body.body ?? "",
              commit_id: review.body.commit_id,
              html_url: `https://github.example/${repository}/pull/${number}#pullrequestreview-${String(1000 + index + 1)}`,
              state: review.body.event === "REQUEST_CHANGES" ? "CHANGES_REQUESTED" : "COMMENTED",
            })),
        );
      }
      if (request.method === "POST" && tail === "/reviews") {
        const body = (await readBody(request)) as PostedReviewRecord["body"];
        for (const comment of body.comments ?? []) {
          const file = pull.files.find((item) => item.path === comment.path);
          const allowed = file?.patch === undefined ? new Set<number>() : commentableLines(file.patch);
          const lines = comment.start_line === undefined ? [comment.line] : [comment.start_line, comment.line];
          if (!lines.every((line) => allowed.has(line))) {
            return send(response, 422, {
              message: "Unprocessable Entity",
              errors: ["Pull request review thread line must be part of the diff"],
              documentation_url: "https://docs.github.com/rest/pulls/reviews#create-a-review-for-a-pull-request",
            });
          }
        }
        reviews.push({ repository, number: Number(number), body });
        reviewIds += 1;
        fake.onReviewPosted?.({ repository, number: Number(number), body });
        return send(response, 200, {
          id: reviewIds,
          body: body.body ?? "",
          commit_id: body.commit_id ?? pull.headSha,
          html_url: `https://github.example/${repository}/pull/${number}#pullrequestreview-${String(reviewIds)}`,
          state: body.event === "REQUEST_CHANGES" ? "CHANGES_REQUESTED" : "COMMENTED",
        });
      }
      request.resume();
      return send(response, 404, { message: "Not Found" });
    })().catch((error: unknown) => send(response, 500, { message: String(error) }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}/api/v3`;
  const fake: FakeGitHubServer = {
    onReviewPosted: undefined,
    apiUrl: baseUrl,
    reviews,
    requests,
    setPullRequest: (repository, number, pullRequest) => void pulls.set(`${repository}#${String(number)}`, pullRequest),
    setRepository: (fullName, repository = {}) => void access.repositories.set(fullName, repository),
    setToken: (token) => void (access.token = token),
    failNext(path, status, times = 1, options = {}) {
      for (let index = 0; index < times; index += 1) failures.push({ path, status, options });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return fake;
}
