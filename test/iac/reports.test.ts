import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { fingerprintOf, formatSummary, reviewChanges, summarizeChanges, toJunit, toSarif, type Finding } from "../../src/iac/index.js";
import { findingsOf, LABELLED_POLICY } from "./labelled-set.js";

/**
 * The plan summary, SARIF 2.1.0 (validated against the published schema,
 * test/fixtures/iac/sarif-schema-2.1.0.json from the OASIS SARIF TC's repository) and JUnit XML.
 */

// zod's JSON Schema reader takes format "uri-reference" for an absolute URL; a relative path
// (what GitHub wants for a repository file) is a valid URI reference (RFC 3986 §4.1), so that
// one format is checked as a string. Everything else in the schema is checked as published.
const schemaText = readFileSync(new URL("../fixtures/iac/sarif-schema-2.1.0.json", import.meta.url), "utf8").replace(
  /"format": "uri-reference"/g,
  '"minLength": 1',
);
const sarifSchema = z.fromJSONSchema(JSON.parse(schemaText) as Parameters<typeof z.fromJSONSchema>[0]);
const labelled = (file: string): string => readFileSync(new URL(`../fixtures/iac/labelled/${file}`, import.meta.url), "utf8");

describe("plan summary", () => {
  it("counts create, update, replace, destroy, and names every stateful destroy or replace at the top", () => {
    const { changes } = reviewChanges({ kind: "plan", json: JSON.parse(labelled("plans/10-dispatch-v1-retirement.json")) }, LABELLED_POLICY);
    expect(formatSummary(summarizeChanges(changes))).toBe(
      [
        "Plan: 0 to create, 0 to update, 1 to replace, 3 to destroy (1 to forget, 2 moved).",
        "! replaces stateful aws_dynamodb_table.driver_shifts",
        "! destroys stateful aws_elasticache_cluster.dispatch_v1_sessions",
      ].join("\n"),
    );
  });

  it("names no stateful resource when none is destroyed, and counts a diff's rename as moved, not destroyed", () => {
    const { changes } = reviewChanges({ kind: "diff", text: labelled("diffs/16-depot-flow-logs-dropped-archive-renamed.diff") }, LABELLED_POLICY);
    const summary = summarizeChanges(changes);
    expect(summary.statefulRemovals).toEqual([{ address: "aws_dynamodb_table.replay_cursors", action: "destroy" }]);
    expect(summary.moved).toBe(2);
    const clean = reviewChanges({ kind: "plan", json: JSON.parse(labelled("plans/01-tile-edge-ingress-rules.json")) }, LABELLED_POLICY);
    expect(formatSummary(summarizeChanges(clean.changes))).not.toContain("stateful");
  });
});

describe("SARIF", () => {
  it("validates against the SARIF 2.1.0 schema, for a diff and for a plan", () => {
    for (const file of ["diffs/15-proof-of-delivery-public-index-db.diff", "plans/07-etl-runner-iam-policies.json"]) {
      const sarif = toSarif(findingsOf(file), { planFile: "plan.json", version: "0.1.0" });
      const result = sarifSchema.safeParse(sarif);
      expect(result.success, result.error?.message).toBe(true);
    }
  });

  it("the schema check is real: a result without a message is refused", () => {
    const sarif = toSarif(findingsOf("plans/07-etl-runner-iam-policies.json"), { planFile: "plan.json", version: "0.1.0" }) as {
      runs: Array<{ results: Array<Record<string, unknown>> }>;
    };
    delete sarif.runs[0]?.results[0]?.["message"];
    expect(sarifSchema.safeParse(sarif).success).toBe(false);
  });

  it("has what GitHub code scanning reads: rule metadata, file and line for diffs, stable fingerprints", () => {
    const findings = findingsOf("diffs/15-proof-of-delivery-public-index-db.diff");
    const sarif = toSarif(findings, { planFile: "plan.json", version: "0.1.0" }) as {
      runs: Array<{
        tool: { driver: { rules: Array<{ id: string; properties: Record<string, unknown> }> } };
        results: Array<{
          ruleId: string;
          locations: Array<{ physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }>;
          partialFingerprints: Record<string, string>;
        }>;
      }>;
    };
    const run = sarif.runs[0];
    const publicDatabase = run?.results.find((result) => result.ruleId === "AWS_DB_PUBLIC");
    expect(publicDatabase?.locations[0]?.physicalLocation).toEqual({
      artifactLocation: { uri: "live/production/proof-of-delivery/index-db.tf" },
      region: { startLine: 17 },
    });
    expect(run?.tool.driver.rules.find((rule) => rule.id === "AWS_DB_PUBLIC")?.properties).toMatchObject({
      "security-severity": "9.5",
      crosswalk: { checkov: ["CKV_AWS_17"], trivy: ["AVD-AWS-0180"] },
    });
    // The same finding on another line (code moved) keeps its fingerprint.
    const moved = findings.map((finding): Finding => ({ ...finding, line: (finding.line ?? 1) + 10 }));
    expect(moved.map(fingerprintOf)).toEqual(findings.map(fingerprintOf));
    expect(new Set(findings.map(fingerprintOf)).size).toBe(findings.length);
  });
});

/** Enough XML to prove the report is well formed: every tag closed in order, attributes quoted, entities escaped. */
function parseXml(text: string): Array<{ name: string; attributes: Record<string, string> }> {
  const elements: Array<{ name: string; attributes: Record<string, string> }> = [];
  const open: string[] = [];
  const body = text.replace(/^<\?xml[^?]*\?>\s*/, "");
  const token = /<(\/?)([\w:-]+)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>|([^<]+)/gy;
  let match: RegExpExecArray | null;
  let consumed = 0;
  while ((match = token.exec(body)) !== null) {
    consumed = token.lastIndex;
    if (match[5] !== undefined) {
      if (/&(?!(amp|lt|gt|quot|apos);)/.test(match[5])) throw new Error(`unescaped & in ${match[5]}`);
      continue;
    }
    const [, closing, name = "", attributes = "", selfClosing] = match;
    if (closing) {
      if (open.pop() !== name) throw new Error(`</${name}> closes nothing`);
      continue;
    }
    elements.push({
      name,
      attributes: Object.fromEntries([...attributes.matchAll(/([\w:-]+)="([^"]*)"/g)].map((pair) => [pair[1] as string, pair[2] as string])),
    });
    if (!selfClosing) open.push(name);
  }
  if (consumed !== body.length || open.length > 0) throw new Error(`not well formed at ${String(consumed)}: ${open.join(">")}`);
  return elements;
}

describe("JUnit XML", () => {
  it("parses, with one failing test case per finding and one passing case per rule without findings", () => {
    const findings = findingsOf("plans/07-etl-runner-iam-policies.json");
    const elements = parseXml(toJunit(findings));
    expect(elements[0]).toMatchObject({ name: "testsuites", attributes: { failures: "2" } });
    expect(elements.filter((element) => element.name === "failure")).toHaveLength(2);
    expect(
      elements
        .filter((element) => element.name === "testcase" && element.attributes["classname"] === "AWS_IAM_WILDCARD")
        .map((element) => element.attributes["name"]),
    ).toEqual(["aws_iam_policy.etl_break_glass", "aws_iam_role_policy.etl_runner_athena"]);
    expect(elements.filter((element) => element.name === "testsuite")).toHaveLength(11);
  });

  it("escapes what a finding's text carries", () => {
    const finding: Finding = {
      ruleId: "AWS_S3_PUBLIC",
      category: "public-bucket",
      severity: "critical",
      resourceAddress: 'aws_s3_bucket_policy.a["x"]',
      message: 'Allows "s3:*" to <everyone> & more',
      fix: "Name the principals.",
      crosswalk: { checkov: [], trivy: [] },
    };
    const elements = parseXml(toJunit([finding]));
    expect(elements.find((element) => element.name === "failure")?.attributes["message"]).toBe("Allows &quot;s3:*&quot; to &lt;everyone&gt; &amp; more");
  });
});
