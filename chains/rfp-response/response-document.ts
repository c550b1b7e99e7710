import type { Architecture, CostCompliance, ExecutiveSummary, MergedRequirements } from "./schemas.js";

/**
 * The full RFP response as Markdown (the file delivered to the thread): the approved summary,
 * every requirement with where the RFP states it, the traceability matrix, the architecture,
 * costs and compliance. Table cells are escaped so RFP text cannot break the tables.
 */

export interface SourceReference {
  section: string;
  lines: string;
}

const cell = (text: string): string => text.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
const money = (currency: string, amount: number): string => `${currency} ${amount.toLocaleString("en-US", { maximumFractionDigits: 0 })}`;

export function renderResponseDocument(input: {
  title: string;
  customer: string;
  summary: ExecutiveSummary;
  requirements: MergedRequirements;
  sources: ReadonlyMap<string, SourceReference>;
  architecture: Architecture;
  cost: CostCompliance;
}): string {
  const { summary, requirements, architecture, cost } = input;
  const traced = new Map(architecture.traceability.map((entry) => [entry.requirementId, entry]));
  const where = (ids: ReadonlyArray<string>): string =>
    [...new Set(ids.map((id) => input.sources.get(id)).filter((source): source is SourceReference => source !== undefined).map((source) => `${source.section} (lines ${source.lines})`))].join("; ");
  return [
    `# ${input.title}: response for ${input.customer}`,
    "",
    "## Executive summary",
    "",
    summary.summary,
    "",
    ...summary.winThemes.map((theme) => `- ${theme}`),
    "",
    "## Requirements",
    "",
    "| id | priority | category | requirement | where the RFP states it |",
    "|---|---|---|---|---|",
    ...requirements.requirements.map((requirement) => `| ${requirement.id} | ${requirement.priority} | ${requirement.category.replace("_", " ")} | ${cell(requirement.text)} | ${cell(where(requirement.sources))} |`),
    "",
    "## Traceability",
    "",
    "| requirement | how it is met | components |",
    "|---|---|---|",
    ...requirements.requirements.map((requirement) => {
      const entry = traced.get(requirement.id);
      return `| ${requirement.id} (${requirement.priority}) | ${entry ? cell(entry.approach) : "not addressed"} | ${entry ? cell(entry.components.join(", ")) : ""} |`;
    }),
    "",
    "## Architecture",
    "",
    architecture.overview,
    "",
    "| component | service | purpose |",
    "|---|---|---|",
    ...architecture.components.map((component) => `| ${cell(component.name)} | ${cell(component.service)} | ${cell(component.purpose)} |`),
    "",
    "## Monthly cost",
    "",
    "| component | low | high | assumptions |",
    "|---|---|---|---|",
    ...cost.lines.map((line) => `| ${cell(line.component)} | ${money(cost.currency, line.monthlyLow)} | ${money(cost.currency, line.monthlyHigh)} | ${cell(line.assumptions)} |`),
    `| **total** | **${money(cost.currency, cost.totals.monthlyLow)}** | **${money(cost.currency, cost.totals.monthlyHigh)}** | |`,
    "",
    ...cost.assumptions.map((assumption) => `- ${assumption}`),
    "",
    "## Compliance",
    "",
    "| framework | asked for | controls | gaps |",
    "|---|---|---|---|",
    ...cost.compliance.map((entry) => `| ${cell(entry.framework)} | ${entry.requestedInRfp ? "yes" : "no"} | ${cell(entry.controls.join("; "))} | ${cell(entry.gaps.join("; ") || "none")} |`),
    "",
    "## Risks and next steps",
    "",
    ...summary.risks.map((risk) => `- Risk: ${risk}`),
    ...summary.nextSteps.map((step) => `- Next: ${step}`),
    "",
  ].join("\n");
}
