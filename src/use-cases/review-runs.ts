import { createHash } from "node:crypto";
import type { ReviewStart } from "../core/chain.js";
import type { ChainRegistry } from "../core/chain-registry.js";
import { BatonError } from "../core/errors.js";
import type { PullRequestHost, PullRequestRef, RunOrigin } from "../core/ports.js";
import type { Runner } from "../core/runner.js";

/**
 * Pull requests and posted plans into IaC review runs: from the GitHub webhook, `/baton review
 * <url>`, the terraform-plan webhook, and the chain itself when a head moved while its review
 * waited. A pull request's review run has an id derived from the repository, number and head
 * commit, so a redelivered event, a reopened pull request or a second click find the run that
 * exists instead of starting another; a new head gets a new run.
 */

export interface ReviewRunsOptions {
  runner: Pick<Runner, "start">;
  chains: ChainRegistry;
  /** Undefined without GITHUB_TOKEN: pull requests cannot be read, plans still can be reviewed. */
  host: PullRequestHost | undefined;
  /** The chain that reviews (BATON_REVIEW_CHAIN, default iac-review). */
  chainId: string;
  /** Review draft pull requests too (BATON_REVIEW_DRAFTS). */
  reviewDrafts: boolean;
}

/** Files whose change is a Terraform change. */
export function isTerraformPath(path: string): boolean {
  return /\.(tf|tf\.json|tfvars|tfvars\.json)$/.test(path);
}

const digest = (text: string): string => createHash("sha256").update(text).digest("hex").slice(0, 20);

export class ReviewRuns {
  readonly #options: ReviewRunsOptions;

  constructor(options: ReviewRunsOptions) {
    this.#options = options;
  }

  /** Review the pull request's current head, unless it is closed, a draft, or touches no Terraform. */
  async reviewPullRequest(ref: PullRequestRef, startedBy: string, origin?: RunOrigin): Promise<ReviewStart> {
    const host = this.#host();
    const pull = await host.get(ref);
    const where = `${ref.repository}#${String(ref.number)}`;
    if (pull.state === "closed")
      return { started: false, reason: "closed", message: `${where} is ${pull.merged ? "merged" : "closed"}; there is nothing to review.` };
    if (pull.draft && !this.#options.reviewDrafts) {
      return {
        started: false,
        reason: "draft",
        message: `${where} is a draft; it is reviewed when marked ready for review (or set BATON_REVIEW_DRAFTS=true to review drafts).`,
      };
    }
    const files = await host.listFiles(ref);
    if (!files.some((file) => isTerraformPath(file.path))) {
      const names = files
        .slice(0, 5)
        .map((file) => file.path)
        .join(", ");
      return {
        started: false,
        reason: "no_terraform",
        message: `${where} changes no Terraform files (${String(files.length)} file${files.length === 1 ? "" : "s"}${names ? `: ${names}${files.length > 5 ? ", …" : ""}` : ""}), so there is nothing for the IaC review.`,
      };
    }
    const input = {
      source: "pull_request",
      pullRequest: { repository: ref.repository, number: ref.number, headSha: pull.headSha, url: pull.url, title: pull.title },
    };
    const { runId } = await this.#start(
      input,
      `r_pr_${digest(`${ref.repository}#${String(ref.number)}@${pull.headSha}`)}`,
      startedBy,
      origin ?? { source: "github", reference: { pullRequest: pull.url, headSha: pull.headSha } },
    );
    return { started: true, runId, headSha: pull.headSha };
  }

  /**
   * Review a posted `terraform show -json` plan (with the Checkov / Trivy results and Infracost
   * diff CI sent beside it); with a pull request, the review is posted there.
   * The same body posted twice (a CI job retried) is one run.
   */
  async reviewPlan(
    input: { plan: unknown; pullRequest?: PullRequestRef & { headSha?: string }; scannerResults?: unknown[]; infracost?: unknown },
    rawBody: Buffer | string,
    startedBy: string,
  ): Promise<{ runId: string }> {
    const origin: RunOrigin = {
      source: "webhook:terraform-plan",
      reference: input.pullRequest ? { repository: input.pullRequest.repository, pullRequest: String(input.pullRequest.number) } : {},
    };
    const extras = {
      ...(input.scannerResults === undefined ? {} : { scannerResults: input.scannerResults }),
      ...(input.infracost === undefined ? {} : { infracost: input.infracost }),
    };
    return this.#start(
      { source: "plan", plan: input.plan, ...(input.pullRequest ? { pullRequest: input.pullRequest } : {}), ...extras },
      `r_plan_${digest(rawBody.toString())}`,
      startedBy,
      origin,
    );
  }

  async #start(input: unknown, runId: string, startedBy: string, origin: RunOrigin): Promise<{ runId: string }> {
    const { chains, chainId, runner } = this.#options;
    if (!chains.has(chainId)) {
      throw new BatonError(
        "CHAIN_NOT_FOUND",
        `The IaC review chain "${chainId}" is not loaded. Add chains/${chainId} or set BATON_REVIEW_CHAIN to the chain that reviews Terraform changes.`,
        { chainId },
      );
    }
    return runner.start(chainId, input, { runId, startedBy, origin });
  }

  #host(): PullRequestHost {
    if (this.#options.host) return this.#options.host;
    throw new BatonError(
      "GITHUB_NOT_CONFIGURED",
      "baton has no GitHub access: set GITHUB_TOKEN (a token that can read pull requests and post reviews), and GITHUB_API_URL for GitHub Enterprise.",
      {},
    );
  }
}
