import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { describe, expect, it } from "vitest";
import { buildProgram } from "../../src/cli/program.js";
import type { TerminalIo } from "../../src/cli/terminal-io.js";
import { MANIFEST_BOT_SCOPES } from "../../src/slack/manifest-scopes.js";
import { REPO_ROOT } from "../support/cli-process.js";

/** The docs say what the code does (issue 18 item 5): lists that drift are checked against their source. */

const read = (...path: string[]): string => readFileSync(join(REPO_ROOT, ...path), "utf8");
const README = read("README.md");

/** The variable names a zod environment schema declares: `  NAME: z…` lines in the source. */
function schemaVariables(file: string): string[] {
  return [...read("src", file).matchAll(/^ {2}([A-Z][A-Z0-9_]+): /gm)].map((match) => match[1] ?? "");
}

/** `baton …` commands as commander knows them, subcommands as `eval run`. */
function commandNames(command: Command, prefix = ""): string[] {
  return command.commands.flatMap((sub) => {
    const name = `${prefix}${sub.name()}`;
    return sub.commands.length > 0 ? commandNames(sub, `${name} `) : [name];
  });
}

describe("the docs against the code", () => {
  it("docs/configuration.md has every variable src/config.ts and src/bot-config.ts read", () => {
    const page = read("docs", "configuration.md");
    const variables = [...schemaVariables("config.ts"), ...schemaVariables("bot-config.ts")];
    expect(variables.length).toBeGreaterThan(40);
    expect(variables.filter((name) => !page.includes(`\`${name}\``))).toEqual([]);
  });

  it("the README and docs/slack.md list exactly the bot scopes manifest.yml asks for", () => {
    const manifest = read("manifest.yml");
    const inManifest = [...manifest.slice(manifest.indexOf("bot:")).matchAll(/^ {6}- ([a-z:.]+)$/gm)].map((match) => match[1]);
    expect(inManifest).toEqual([...MANIFEST_BOT_SCOPES]);
    const slackPage = read("docs", "slack.md");
    const table = [...slackPage.matchAll(/^\| `([a-z:.]+)` \|/gm)].map((match) => match[1]);
    expect(table).toEqual([...MANIFEST_BOT_SCOPES]);
    expect(slackPage).toContain(`Its\n${String(MANIFEST_BOT_SCOPES.length)} bot scopes`);
    const createApp = README.slice(README.indexOf("### Create the Slack app"), README.indexOf("2. **Install to Workspace**"));
    expect(createApp).toContain(`${String(MANIFEST_BOT_SCOPES.length)} bot scopes`);
    expect(MANIFEST_BOT_SCOPES.filter((scope) => !createApp.includes(`\`${scope}\``))).toEqual([]);
  });

  it("the README names every baton command", () => {
    const io: TerminalIo = {
      write: () => undefined,
      writeError: () => undefined,
      ask: async () => undefined,
      interactive: false,
      editor: undefined,
      close: () => undefined,
    };
    const program = buildProgram({ io, environment: {}, username: "docs", readStdin: () => "", invocation: "baton" });
    const names = commandNames(program);
    expect(names).toContain("eval run");
    expect(names.filter((name) => !README.includes(`baton ${name}`))).toEqual([]);
  });

  it("the README names every /baton subcommand the parser knows", () => {
    const parser = read("src", "slack", "command-parser.ts");
    const words = [...parser.matchAll(/^ {4}case "([a-z]+)":/gm)].map((match) => match[1] ?? "");
    expect(words).toContain("review");
    expect(words.filter((word) => !README.includes(`\`/baton ${word}`))).toEqual([]);
  });

  it("docs/dependencies.md says what every dependency in package.json is for", () => {
    const manifest = JSON.parse(read("package.json")) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
    const page = read("docs", "dependencies.md");
    const names = [...Object.keys(manifest.dependencies), ...Object.keys(manifest.devDependencies)];
    expect(names.filter((name) => !page.includes(`\`${name}\``))).toEqual([]);
  });

  it("the README's figures are docs/benchmarks.md's latest", () => {
    const benchmarks = read("docs", "benchmarks.md");
    const latest = benchmarks.slice(benchmarks.indexOf("# Issue 17's targets on a quiet machine"));
    for (const figure of ["1166.9", "82.7", "14.11×", "10.36×", "3.26×", "3066.8", "754.4", "4.07×"]) {
      expect(latest).toContain(figure);
      expect(README).toContain(figure);
    }
    expect(benchmarks).toContain("ack p50 3.07 / p99 **42.36** ms");
    // The bot under load: the README quotes the latest slack-ack runs.
    for (const figure of ["**11.96**", "**10.14**", "**12**", "**7**"]) expect(benchmarks).toContain(figure);
    expect(README).toContain("p99 10–12 ms");
    expect(README).toContain("7–12 ms (p99)");
  });
});
