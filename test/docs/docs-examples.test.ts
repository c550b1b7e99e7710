import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { REPO_ROOT, runCli } from "../support/cli-process.js";
import { makeTempDirectory } from "../support/temp-directory.js";

/**
 * The docs' code is run, not just shown (issue 20 item 5): docs/chains.md includes the worked
 * example chain from docs/examples/, each fenced block identical to its file, and the example
 * runs through the real `baton` command to its approval (and past it) on the scripted model and
 * passes `baton test` with the output the page shows. Its vitest test (shown too) runs with the
 * rest of `npm test` (vitest.config.ts includes docs/examples).
 */

const EXAMPLES = join(REPO_ROOT, "docs", "examples");
const CHAIN = join(EXAMPLES, "change-announcement");

/** `<!-- file: path -->` then a fenced block: the path (from the repository root) and the block's text. */
function includedBlocks(markdown: string): Array<{ path: string; text: string }> {
  const blocks: Array<{ path: string; text: string }> = [];
  const pattern = /<!-- file: (\S+) -->\n```[a-z]*\n([\s\S]*?)```\n/g;
  for (const match of markdown.matchAll(pattern)) blocks.push({ path: match[1] ?? "", text: match[2] ?? "" });
  return blocks;
}

describe("docs/chains.md: the worked example", () => {
  it("shows each example file exactly as it is in docs/examples", () => {
    const markdown = readFileSync(join(REPO_ROOT, "docs", "chains.md"), "utf8");
    const blocks = includedBlocks(markdown);
    expect(blocks.map((block) => block.path)).toEqual([
      "docs/examples/change-announcement/index.ts",
      "docs/examples/change-announcement/examples.json",
      "docs/examples/change-announcement/example-input.json",
      "docs/examples/change-announcement/change-announcement.test.ts",
      "docs/examples/change-announcement/test-plan.json",
    ]);
    for (const block of blocks) {
      expect(block.text, `${block.path} differs from its block in docs/chains.md: copy the file into the page`).toBe(
        readFileSync(join(REPO_ROOT, block.path), "utf8"),
      );
    }
  });

  describe("runs through the real CLI on the scripted model", () => {
    let directory: ReturnType<typeof makeTempDirectory>;
    let environment: Record<string, string>;
    beforeEach(() => {
      directory = makeTempDirectory();
      environment = { BATON_DB: join(directory.path, "baton.db"), BATON_CHAINS_DIR: EXAMPLES };
    });
    afterEach(() => directory.remove());

    it("is listed beside the shipped chains, reaches its approval, and posts once approved", async () => {
      const chains = await runCli(["chains"], environment);
      expect(chains.stderr).toBe("");
      expect(chains.stdout).toContain("change-announcement  Change announcement");
      expect(chains.stdout).toContain("steps: assess → announcement (approval) → post");
      expect(chains.stdout).toContain("solution-brief  Solution brief");

      const started = await runCli(["run", "change-announcement", "--input", join(CHAIN, "example-input.json"), "--no-wait"], environment);
      expect(started.code, started.stderr).toBe(0);
      expect(started.stdout).toContain("(scripted model)");
      expect(started.stdout).toContain("✓ assess");
      expect(started.stdout).toContain("Risk: medium");
      const waiting = /⏸ Run (r_\S+) is waiting for approval (a_\S+) \(Announcement to post\)/.exec(started.stdout);
      expect(waiting, started.stdout).not.toBeNull();
      const approvalId = waiting?.[2] ?? "";

      const approved = await runCli(["approve", approvalId], environment);
      expect(approved.code, approved.stderr).toBe(0);
      expect(approved.stdout).toContain("Orders database upgrade on Saturday 06:00 UTC");
      expect(approved.stdout).toMatch(/✓ post/);
      expect(approved.stdout).toMatch(/✓ Run r_\S+ succeeded/);
    });

    it("passes baton test on its examples and its test plan, printing what the page shows", async () => {
      const markdown = readFileSync(join(REPO_ROOT, "docs", "chains.md"), "utf8");
      const shown = /\$ BATON_CHAINS_DIR=docs\/examples baton test change-announcement\n([\s\S]*?)```/.exec(markdown)?.[1];
      expect(shown, "docs/chains.md shows the output of baton test change-announcement").toBeDefined();
      const tested = await runCli(["test", "change-announcement"], environment);
      expect(tested.code, tested.stdout + tested.stderr).toBe(0);
      expect(tested.stdout).toBe(shown);
    });
  });
});

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[`*_]/g, "")
    .replace(/[^\p{L}\p{N} -]/gu, "")
    .replace(/ /g, "-");
}

function anchorsIn(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const counts = new Map<string, number>();
  for (const line of markdown.replace(/```[\s\S]*?```/g, "").split("\n")) {
    const heading = /^#{1,6} (.+)$/.exec(line);
    if (!heading) continue;
    const base = anchorOf(heading[1] ?? "");
    const seen = counts.get(base) ?? 0;
    counts.set(base, seen + 1);
    anchors.add(seen === 0 ? base : `${base}-${String(seen)}`);
  }
  return anchors;
}

describe("the docs' links", () => {
  const pages = [
    join(REPO_ROOT, "README.md"),
    ...readdirSync(join(REPO_ROOT, "docs"))
      .filter((name) => name.endsWith(".md"))
      .map((name) => join(REPO_ROOT, "docs", name)),
  ];

  it.each(pages.map((page) => [relative(REPO_ROOT, page), page]))("%s: every relative link and anchor exists", (_name, page) => {
    const markdown = readFileSync(page, "utf8");
    const broken: string[] = [];
    for (const match of markdown.replace(/```[\s\S]*?```/g, "").matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = match[1] ?? "";
      if (/^[a-z]+:/i.test(target)) continue;
      const [file = "", anchor] = target.split("#");
      const path = file === "" ? page : join(dirname(page), file);
      if (!existsSync(path)) {
        broken.push(`${target}: no file ${relative(REPO_ROOT, path)}`);
        continue;
      }
      if (anchor !== undefined && path.endsWith(".md") && !anchorsIn(readFileSync(path, "utf8")).has(anchor))
        broken.push(`${target}: no heading #${anchor} in ${relative(REPO_ROOT, path)}`);
    }
    expect(broken).toEqual([]);
  });
});
