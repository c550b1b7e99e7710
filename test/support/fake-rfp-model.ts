import type { FakeReply } from "./fake-openai-server.js";

/**
 * A stand-in for the model behind the rfp-response chain, for the fake OpenAI server: it reads
 * each prompt as a careful model would (requirement sentences out of a chunk, duplicates folded,
 * every must traced, totals that add up) so a test can check the chain end to end, and it can
 * be told to make the mistakes the chain's checks exist for: drop a must from the architecture,
 * send a cost table whose totals are wrong, or glue a list item without end punctuation to the
 * sentence after it in one quote. Each mistake is made once; the re-ask is answered correctly.
 */

export interface FakeRfpModelOptions {
  dropMustFromArchitecture?: boolean;
  wrongCostTotals?: boolean;
  /** Quote a list item without end punctuation run together with the line after it (once). */
  glueListItem?: boolean;
}

export interface FakeRfpModel {
  reply(body: unknown): FakeReply;
  /** How many times each step was asked, by step. */
  readonly asked: Record<string, number>;
  /** Extraction prompts by chunk label ("Part 3 of 40"), to see which chunks were asked. */
  readonly extractedParts: string[];
}

type Message = { role: string; content: string };

const MUST = /\b(MUST|must|SHALL|shall|is required to|are required to)\b|Mandatory:/;
const SHOULD = /\b(SHOULD|preferred|desirable)\b/;

/** Sentences as a careful reader takes them: lines apart, a table row's cells apart. */
function sentences(text: string): string[] {
  return text
    .split(/\n+/)
    .flatMap((line) => (line.startsWith("|") ? line.split(/(?<!\\)\|/) : [line]))
    .flatMap((line) => line.split(/(?<=[.!?])\s+/))
    .map((sentence) => sentence.trim())
    .filter((sentence) => sentence.length > 10);
}

function categoryOf(sentence: string): string {
  if (/SOC 2|ISO|HIPAA|GDPR|FedRAMP|encrypt|security|residen|audit|PCI/i.test(sentence)) return "security_compliance";
  if (/price|pricing|invoice|payment|contract|proposal|submit/i.test(sentence)) return "commercial";
  if (/availab|uptime|latency|recover|RPO|RTO|support|scale|performance/i.test(sentence)) return "non_functional";
  return "functional";
}

const between = (text: string, open: string, close: string): string => {
  const start = text.indexOf(open);
  const end = text.lastIndexOf(close);
  return start >= 0 && end > start ? text.slice(start + open.length, end) : "";
};

export function createFakeRfpModel(options: FakeRfpModelOptions = {}): FakeRfpModel {
  const asked: Record<string, number> = {};
  const extractedParts: string[] = [];
  let droppedOnce = false;
  let wrongOnce = false;
  let gluedOnce = false;

  const reply = (body: unknown): FakeReply => {
    const messages = (body as { messages?: Message[] }).messages ?? [];
    const system = messages.find((message) => message.role === "system")?.content ?? "";
    const user = messages.find((message) => message.role === "user")?.content ?? "";
    const reasked = messages.length > 2;
    const json = (value: unknown): FakeReply => ({
      kind: "json",
      value,
      usage: { prompt_tokens: Math.ceil((system.length + user.length) / 4), completion_tokens: 200 },
    });

    if (system.startsWith("You extract requirements")) {
      asked["extract"] = (asked["extract"] ?? 0) + 1;
      extractedParts.push(/Part (\d+) of (\d+)/.exec(user)?.[0] ?? "?");
      const chunk = between(user, "<rfp>\n", "\n</rfp>");
      const requirements = sentences(chunk)
        .filter((sentence) => MUST.test(sentence) || SHOULD.test(sentence))
        .map((sentence) => ({
          text: sentence.replace(/^[-*•\d.)\s]+/, "").slice(0, 300),
          quote: sentence,
          category: categoryOf(sentence),
          priority: MUST.test(sentence) ? "must" : "should",
        }));
      const glued = options.glueListItem === true && !gluedOnce && !reasked ? /^(?:- |\d+\. |• )(.*[^.!?:;\s])\n+([A-Z].*)$/m.exec(chunk) : null;
      if (glued) {
        gluedOnce = true;
        const quote = `${glued[1] ?? ""} ${glued[2] ?? ""}`;
        requirements.push({ text: quote, quote, category: "functional", priority: "must" });
      }
      return json({ requirements });
    }
    if (system.startsWith("You merge requirements")) {
      asked["merge"] = (asked["merge"] ?? 0) + 1;
      const lines = between(user, "<rfp>\n", "\n</rfp>")
        .split("\n")
        .filter((line) => /^E\d+\.\d+ \|/.test(line));
      const byText = new Map<string, { text: string; category: string; priority: string; sources: string[] }>();
      for (const line of lines) {
        const [id = "", priority = "", category = "", , ...rest] = line.split(" | ");
        const text = rest.join(" | ");
        // "As stated earlier …: The service MUST…" asks for what "The service MUST…" asks for.
        const key = text
          .replace(/^[^:]{0,80}:\s+(?=[A-Z])/, "")
          .toLowerCase()
          .replace(/[^a-z0-9]+/g, " ")
          .trim();
        const existing = byText.get(key);
        if (existing) {
          existing.sources.push(id);
          if (priority === "must") existing.priority = "must";
        } else byText.set(key, { text, category, priority, sources: [id] });
      }
      return json({ requirements: [...byText.values()].map((requirement, index) => ({ id: `REQ-${String(index + 1).padStart(3, "0")}`, ...requirement })) });
    }
    if (system.startsWith("You are a cloud solutions architect")) {
      asked["architecture"] = (asked["architecture"] ?? 0) + 1;
      const musts = [...between(user, "<rfp>\n", "\n</rfp>").matchAll(/^(REQ-\d{3}) \[must/gm)].map((match) => match[1] as string);
      const drop = options.dropMustFromArchitecture === true && !droppedOnce && !reasked;
      if (drop) droppedOnce = true;
      const traced = drop ? musts.slice(1) : musts;
      return json({
        overview: "Two-region active-passive deployment on managed services, with SSO, encryption everywhere and 24/7 monitoring.",
        components: [
          { name: "App platform", service: "Managed Kubernetes", purpose: "runs the workloads in two regions" },
          { name: "Database", service: "Managed PostgreSQL", purpose: "replicated relational store" },
          { name: "Identity", service: "SAML/OIDC identity provider", purpose: "single sign-on and MFA" },
        ],
        traceability: traced.map((requirementId) => ({
          requirementId,
          approach: "Met by the managed platform's configuration, documented in the runbook.",
          components: ["App platform"],
        })),
      });
    }
    if (system.startsWith("You estimate what the proposed architecture costs")) {
      asked["cost-compliance"] = (asked["cost-compliance"] ?? 0) + 1;
      const frameworks = (/Frameworks the RFP names: (.*)/.exec(user)?.[1] ?? "").split(", ").filter((name) => name !== "none found");
      const wrong = options.wrongCostTotals === true && !wrongOnce && !reasked;
      if (wrong) wrongOnce = true;
      return json({
        currency: "USD",
        lines: [
          { component: "App platform", monthlyLow: 4_000, monthlyHigh: 6_500, assumptions: "2 regions, 12 nodes" },
          { component: "Database", monthlyLow: 1_500, monthlyHigh: 2_500, assumptions: "HA pair plus replica" },
          { component: "Identity", monthlyLow: 300, monthlyHigh: 500, assumptions: "2,000 users" },
        ],
        totals: wrong ? { monthlyLow: 5_000, monthlyHigh: 9_500 } : { monthlyLow: 5_800, monthlyHigh: 9_500 },
        assumptions: ["Prices at list rates, no commitments"],
        compliance: frameworks.map((framework) => ({
          framework,
          requestedInRfp: true,
          controls: ["provider attestation", "encryption at rest and in transit"],
          gaps: framework === "FedRAMP" ? ["FedRAMP Moderate authorisation in progress"] : [],
        })),
      });
    }
    if (system.startsWith("You write the executive summary")) {
      asked["executive-summary"] = (asked["executive-summary"] ?? 0) + 1;
      return json({
        summary:
          "Acme wants a resilient, compliant platform. We propose a two-region managed deployment that meets every mandatory requirement, at USD 5,800-9,500 a month, with one compliance gap (FedRAMP) named and planned.",
        winThemes: ["Every mandatory requirement traced to the design"],
        risks: ["FedRAMP authorisation timing"],
        nextSteps: ["Solution workshop", "Pricing confirmation"],
      });
    }
    return { kind: "status", status: 500, body: { error: { message: `fake RFP model: no answer for a prompt starting "${system.slice(0, 60)}"` } } };
  };

  return { reply, asked, extractedParts };
}
