import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

/**
 * The architecture, checked on every import in src/ (DESIGN.md, "a small core, adapters at the
 * edges"): the core imports nothing but zod and itself; an adapter never imports another adapter
 * or the wiring; only the wiring imports the wiring; and each outside system's package is
 * imported by its own adapter alone. What several adapters share has its own folder.
 */

const SOURCE_ROOT = fileURLToPath(new URL("../../src/", import.meta.url));

/** Entry points and composition (the test kit composes a runtime of its own): they may import anything. */
const WIRING = new Set(["runtime", "cli", "doctor", "testing", "main.ts"]);
/** Each owns one outside system (or one edge). */
const ADAPTERS = new Set(["slack", "webhooks", "store", "store-postgres", "llm", "github", "metrics", "jobs", "telemetry"]);
/**
 * What any part may use: the core and its ports; use cases several adapters call; value
 * rendering shared by the CLI and Slack; the system clock and ids; the HTTP server routes plug
 * into; pure domain libraries (IaC rules, document chunking, eval scoring); configuration types.
 */
const SHARED = new Set([
  "core",
  "use-cases",
  "rendering",
  "system",
  "http",
  "iac",
  "documents",
  "evals",
  "config.ts",
  "bot-config.ts",
  "otlp-settings.ts",
  "model-settings.ts",
  "package-location.ts",
  "database-settings.ts",
]);
/** The public chain API re-exports from anywhere but the wiring, and nothing in src/ imports it. */
const PUBLIC_API = "chain-api.ts";
/** A shared part must not reach into adapters either, except for these (the core: none at all). */
const SHARED_MAY_IMPORT: Record<string, ReadonlySet<string>> = {
  core: new Set(["core"]),
};

/** Packages that belong to one outside system, and the folders allowed to import them. */
const PACKAGE_OWNERS: ReadonlyArray<{ prefix: string; owners: ReadonlySet<string> }> = [
  { prefix: "@slack/", owners: new Set(["slack"]) },
  { prefix: "better-sqlite3", owners: new Set(["store"]) },
  { prefix: "pg", owners: new Set(["store-postgres"]) },
  { prefix: "openai", owners: new Set(["llm"]) },
  { prefix: "gpt-tokenizer", owners: new Set(["llm"]) },
  { prefix: "@octokit/", owners: new Set(["github"]) },
  { prefix: "prom-client", owners: new Set(["metrics"]) },
  { prefix: "@opentelemetry/", owners: new Set(["telemetry"]) },
  { prefix: "node-cron", owners: new Set(["jobs"]) },
];

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

/** The part of src/ a file belongs to: its top folder, or its own name at the top. */
function partOf(file: string): string {
  const [first = ""] = relative(SOURCE_ROOT, file).split("/");
  return first;
}

interface ImportEdge {
  file: string;
  specifier: string;
}

function importsOf(file: string): ImportEdge[] {
  const text = readFileSync(file, "utf8");
  const edges: ImportEdge[] = [];
  for (const match of text.matchAll(/^\s*(?:import|export)\s(?:[^"';]*?\sfrom\s)?["']([^"']+)["']/gm)) {
    if (match[1] !== undefined) edges.push({ file, specifier: match[1] });
  }
  for (const match of text.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g)) {
    if (match[1] !== undefined) edges.push({ file, specifier: match[1] });
  }
  return edges;
}

function targetPart(edge: ImportEdge): string | undefined {
  if (!edge.specifier.startsWith(".")) return undefined;
  const target = normalize(join(dirname(edge.file), edge.specifier));
  const fromRoot = relative(SOURCE_ROOT, target);
  if (fromRoot.startsWith("..")) return "(outside src)";
  return partOf(target).replace(/\.js$/, ".ts");
}

function violations(): string[] {
  const found: string[] = [];
  for (const file of sourceFiles(SOURCE_ROOT)) {
    const from = partOf(file);
    const where = relative(SOURCE_ROOT, file);
    for (const edge of importsOf(file)) {
      const to = targetPart(edge);
      if (to === undefined) {
        const owner = PACKAGE_OWNERS.find(
          (entry) => edge.specifier === entry.prefix || edge.specifier.startsWith(entry.prefix.endsWith("/") ? entry.prefix : `${entry.prefix}/`),
        );
        if (from === "core" && edge.specifier !== "zod") found.push(`${where}: the core imports the package "${edge.specifier}" (only zod)`);
        else if (owner !== undefined && !owner.owners.has(from) && !WIRING.has(from) && from !== PUBLIC_API)
          found.push(`${where}: imports "${edge.specifier}", which only ${[...owner.owners].join(", ")} may`);
        continue;
      }
      if (to === from) continue;
      if (to === PUBLIC_API) {
        found.push(`${where}: imports the public chain API (${edge.specifier}); import the module itself`);
        continue;
      }
      if (from === PUBLIC_API) {
        if (WIRING.has(to)) found.push(`${where}: the public chain API re-exports the wiring (${to})`);
        continue;
      }
      if (to === "(outside src)") {
        found.push(`${where}: imports ${edge.specifier}, outside src/`);
        continue;
      }
      if (WIRING.has(to) && !WIRING.has(from)) {
        found.push(`${where}: imports the wiring (${to}) through ${edge.specifier}`);
        continue;
      }
      const limited = SHARED_MAY_IMPORT[from];
      if (limited !== undefined && !limited.has(to)) {
        found.push(`${where}: ${from} imports ${to} (${edge.specifier})`);
        continue;
      }
      if ((ADAPTERS.has(from) || SHARED.has(from)) && ADAPTERS.has(to))
        found.push(`${where}: ${from} imports the ${to} adapter (${edge.specifier}); move what they share into a shared folder`);
    }
  }
  return found;
}

describe("import boundaries", () => {
  it("the core imports only zod; no adapter imports another adapter or the wiring; each package stays in its adapter", () => {
    expect(violations()).toEqual([]);
  });

  it("every folder of src/ is classified (a new one must say what it is)", () => {
    const parts = new Set(sourceFiles(SOURCE_ROOT).map(partOf));
    const unclassified = [...parts].filter((part) => !WIRING.has(part) && !ADAPTERS.has(part) && !SHARED.has(part) && part !== PUBLIC_API);
    expect(unclassified).toEqual([]);
  });
});
