/**
 * A long RFP for tests, generated (deterministic for a seed): ~15 sections with subsections,
 * 30+ pages' worth of prose, tables and numbered lists, and known requirements scattered
 * through it — 28 "must" requirements phrased the ways RFPs phrase them (MUST, shall, "is
 * required to", "Mandatory:"), three of them stated twice in different sections, and some
 * "should" ones. The filler never uses those words, so every requirement is one of the known.
 */

export interface KnownRequirement {
  id: string;
  text: string;
  section: string;
}

export interface GeneratedRfp {
  markdown: string;
  mustRequirements: KnownRequirement[];
  shouldRequirements: KnownRequirement[];
}

const SECTIONS = [
  "Background",
  "Scope of Services",
  "Functional Requirements",
  "Integration",
  "Availability and Disaster Recovery",
  "Performance and Scale",
  "Security",
  "Compliance and Certifications",
  "Data Residency and Privacy",
  "Operations and Monitoring",
  "Support and Service Levels",
  "Migration and Transition",
  "Training and Documentation",
  "Commercial Terms and Pricing",
  "Submission Instructions",
];

/** The known musts: [section index, requirement sentence]. Phrasings vary on purpose. */
const MUSTS: Array<[number, string]> = [
  [1, "The vendor MUST deliver a managed container platform for all production workloads."],
  [1, "The solution shall include separate production, staging and development environments."],
  [2, "The platform MUST support blue-green and canary deployments for every service."],
  [2, "Mandatory: the solution provides a self-service portal for application teams."],
  [2, "The vendor is required to provide infrastructure as code for every provisioned resource."],
  [3, "The solution MUST integrate with the customer's existing SAML 2.0 identity provider."],
  [3, "The platform shall expose all management functions through a documented REST API."],
  [4, "The service MUST be available 99.95 percent of each calendar month."],
  [4, "The solution shall provide a recovery point objective of 15 minutes or less."],
  [4, "The vendor is required to run workloads in at least two geographically separate regions."],
  [5, "The platform MUST scale to 5,000 requests per second per region without degradation."],
  [5, "The solution shall keep p95 API latency below 200 milliseconds at peak load."],
  [6, "All data MUST be encrypted at rest with customer-managed keys."],
  [6, "The solution shall enforce multi-factor authentication for all administrative access."],
  [6, "Mandatory: privileged access is logged and retained for at least one year."],
  [7, "The vendor MUST hold a current SOC 2 Type II report."],
  [7, "The vendor shall maintain ISO 27001 certification for the services in scope."],
  [7, "The solution is required to support HIPAA-compliant handling of protected health information."],
  [7, "The vendor MUST provide a path to FedRAMP Moderate authorisation."],
  [8, "Customer data MUST remain within the European Union in line with GDPR."],
  [8, "The vendor shall delete customer data within 30 days of contract termination."],
  [9, "The platform MUST provide centralised logging and metrics for every service."],
  [10, "The vendor is required to provide 24/7 support with a 15-minute response time for severity 1 incidents."],
  [10, "Mandatory: service credits apply when monthly availability falls below the committed level."],
  [11, "The vendor MUST migrate the 40 existing applications with no more than 30 minutes of downtime each."],
  [12, "The vendor shall deliver administrator training for up to 20 staff."],
  [13, "Pricing MUST be stated as monthly fees per component with all assumptions listed."],
  [14, "Proposals shall be submitted in PDF no later than 17:00 CET on the closing date."],
];

/** Musts stated again, differently placed: the merge step must fold them. */
const REPEATS: Array<[number, number]> = [
  [9, 7],
  [12, 15],
  [13, 10],
];

const SHOULDS: Array<[number, string]> = [
  [2, "The portal SHOULD offer templates for common service types."],
  [5, "The platform SHOULD scale down automatically outside business hours."],
  [9, "Dashboards SHOULD be shareable with read-only links."],
  [12, "Documentation SHOULD be available in English and German."],
];

const FILLER = [
  "The customer operates a portfolio of customer-facing and internal applications across three business units.",
  "Over the last five years the estate has grown through acquisitions, leaving a mix of hosting arrangements.",
  "The programme aims to consolidate these onto a common platform that teams can adopt at their own pace.",
  "Current deployments are largely manual, with release windows agreed weekly between teams.",
  "Application teams vary in maturity, and some have dedicated operations staff while others do not.",
  "The customer expects the selected partner to work closely with its platform engineering group.",
  "Quarterly business reviews will track progress against the agreed roadmap.",
  "Existing monitoring tools will be retired once the new platform has proven itself in production.",
  "The finance department reviews infrastructure spending monthly and reports to the executive board.",
  "Several applications process personal data of customers in multiple European countries.",
  "Peak traffic occurs during seasonal campaigns, when volumes can triple for several weeks.",
  "Teams currently raise tickets for infrastructure changes, which adds days to simple requests.",
  "The customer values transparency in both technical decisions and commercial terms.",
  "Bidders are encouraged to describe relevant experience with organisations of similar size.",
  "The evaluation committee includes representatives from engineering, security, finance and procurement.",
  "Responses will be assessed on technical merit, delivery approach, cost and cultural fit.",
  "Clarification questions can be sent to the procurement contact listed at the end of this document.",
  "The customer reserves the right to shortlist bidders for a presentation and a technical workshop.",
  "Some legacy systems run on operating systems that are close to the end of vendor support.",
  "The platform engineering group currently consists of eight engineers and one product owner.",
];

function random(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4_294_967_296;
  };
}

export function generateRfp(options: { seed?: number } = {}): GeneratedRfp {
  const next = random(options.seed ?? 42);
  const pick = (): string => FILLER[Math.floor(next() * FILLER.length)] ?? FILLER[0] ?? "";
  const paragraph = (sentences: number): string => Array.from({ length: sentences }, pick).join(" ");
  const mustRequirements: KnownRequirement[] = MUSTS.map(([section, text], index) => ({
    id: `M${String(index + 1).padStart(2, "0")}`,
    text,
    section: `${String(section + 1)} ${SECTIONS[section] ?? ""}`,
  }));
  const shouldRequirements: KnownRequirement[] = SHOULDS.map(([section, text], index) => ({
    id: `S${String(index + 1)}`,
    text,
    section: `${String(section + 1)} ${SECTIONS[section] ?? ""}`,
  }));
  const lines: string[] = [
    "# Request for Proposal: Cloud Platform Modernisation",
    "",
    "Issued by Acme Corporation, procurement reference ACME-2027-014.",
    "",
    paragraph(6),
    "",
  ];
  SECTIONS.forEach((title, sectionIndex) => {
    lines.push(`## ${String(sectionIndex + 1)} ${title}`, "", paragraph(8), "");
    for (let sub = 1; sub <= 3; sub += 1) {
      lines.push(`### ${String(sectionIndex + 1)}.${String(sub)} ${title}: part ${String(sub)}`, "", paragraph(9), "", paragraph(7), "");
      if (sub === 2) {
        lines.push(
          "| item | today | target |",
          "|---|---|---|",
          `| environments | ${String(2 + sectionIndex)} | 3 |`,
          `| applications | 40 | 40 |`,
          `| teams | 12 | 12 |`,
          "",
        );
        lines.push("1. Current state assessment of the area.", "2. Target design agreed with the customer.", "3. Delivery in iterations of two weeks.", "");
      }
      const musts = MUSTS.map(([section, text], index) => ({ section, text, index })).filter(
        (must) => must.section === sectionIndex && must.index % 3 === sub - 1,
      );
      for (const must of musts) lines.push(`${paragraph(3)} ${must.text} ${paragraph(2)}`, "");
      for (const [section, text] of SHOULDS) if (section === sectionIndex && sub === 3) lines.push(`${paragraph(2)} ${text}`, "");
      for (const [section, mustIndex] of REPEATS)
        if (section === sectionIndex && sub === 1) lines.push(`As stated earlier and repeated here for clarity: ${MUSTS[mustIndex]?.[1] ?? ""}`, "");
    }
  });
  lines.push("## Contact", "", "Procurement contact: rfp@acme.example", "");
  return { markdown: lines.join("\n"), mustRequirements, shouldRequirements };
}
