// The workload both engines run, and the helpers both workload scripts share, so the two
// sides cannot drift apart. It reproduces the LangGraph.js anchor benchmark's workload:
// a 4-step chain extract -> architecture -> costs -> summary, a zero-latency "model" that
// hands back freshly parsed JSON (936 / 1067 / 1074 / 772 bytes), and a zod object schema
// per step. Nothing here reads files outside bench/.

import { performance } from "node:perf_hooks";

export const STEPS = ["extract", "architecture", "costs", "summary"];

/** Repetitive text of exactly `length` characters (list-shaped, like model output). */
export function filler(label, length) {
  let text = "";
  for (let index = 0; text.length < length; index += 1) text += `${label} detail ${index}; `;
  return text.slice(0, length);
}

const repeat = (count, make) => Array.from({ length: count }, (_, index) => make(index));

/** The fixed step outputs, as plain values. */
export const FIXED = {
  extract: {
    company: "Acme Logistics GmbH",
    industry: "freight and warehousing",
    requirements: repeat(10, (index) => `requirement ${index}: ${filler("req", 40)}`),
    constraints: repeat(5, (index) => `constraint ${index}: ${filler("con", 30)}`),
    confidence: 0.87,
  },
  architecture: {
    pattern: "event-driven microservices",
    components: repeat(8, (index) => ({ name: `service-${index}`, role: filler("role", 60) })),
    rationale: filler("because", 200),
    risks: ["vendor lock-in", "eventual consistency", "operational load"],
  },
  costs: {
    currency: "EUR",
    monthlyTotal: 18250.5,
    lineItems: repeat(12, (index) => ({ item: `line item ${index} ${filler("cost", 30)}`, monthly: 1000 + index * 37.5 })),
    assumptions: filler("assume", 160),
  },
  summary: {
    title: "Modernisation proposal for Acme Logistics",
    body: filler("summary", 600),
    recommendations: ["start with the order service", "adopt managed queues", "budget a platform team"],
    score: 7,
  },
};

/** What the "model" answers for each step: the JSON text (a real client gets text too). */
export const FIXED_JSON = Object.fromEntries(STEPS.map((step) => [step, JSON.stringify(FIXED[step])]));

/**
 * The step schemas, built with the caller's `z` (each engine validates with the zod instance
 * it ships with; both are zod 4.6.7).
 */
export function makeSchemas(z) {
  return {
    extract: z.object({
      company: z.string(),
      industry: z.string(),
      requirements: z.array(z.string()),
      constraints: z.array(z.string()),
      confidence: z.number().min(0).max(1),
    }),
    architecture: z.object({
      pattern: z.string(),
      components: z.array(z.object({ name: z.string(), role: z.string() })),
      rationale: z.string(),
      risks: z.array(z.string()),
    }),
    costs: z.object({
      currency: z.string().length(3),
      monthlyTotal: z.number(),
      lineItems: z.array(z.object({ item: z.string(), monthly: z.number() })),
      assumptions: z.string(),
    }),
    summary: z.object({
      title: z.string(),
      body: z.string(),
      recommendations: z.array(z.string()),
      score: z.number().int(),
    }),
  };
}

/** The request chain `i` starts from (the anchor's state key `input`). */
export const makeRequest = (i) => ({ docId: `doc-${i}`, text: `Request ${i}: ${filler("input", 200)}` });

/** The anchor's final-state check, on the request and the four outputs. */
export function checkOutputs(request, outputs, i) {
  if (outputs?.summary?.score !== 7 || outputs.costs?.currency !== "EUR" || request?.docId !== `doc-${i}`) {
    throw new Error(`chain ${i}: unexpected final state`);
  }
}

// ---------------------------------------------------------------- statistics (as the anchor)

/**
 * The anchor's quantile: the ceil(q*n)-th smallest sample.
 * @param {ArrayLike<number> | Iterable<number>} samples
 * @param {number} q
 * @returns {number}
 */
export function quantile(samples, q) {
  const sorted = Float64Array.from(samples).sort();
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[index];
}
export const mean = (samples) => samples.reduce((sum, value) => sum + value, 0) / samples.length;
export const r2 = (x) => Math.round(x * 100) / 100;
export const r1 = (x) => Math.round(x * 10) / 10;
export const MiB = (bytes) => r1(bytes / 1048576);

/** Scenario B's figures, reported the same way for both engines. Times are in ms. */
export function pauseResumeFigures({ n, pause, resume, pauseTotal, resumeTotal, sizeAfterPause, finalBytes }) {
  return {
    n,
    pause_ms_median: r2(quantile(pause, 0.5)),
    pause_ms_p99: r2(quantile(pause, 0.99)),
    pause_ms_mean: r2(mean(pause)),
    resume_ms_median: r2(quantile(resume, 0.5)),
    resume_ms_p99: r2(quantile(resume, 0.99)),
    resume_ms_mean: r2(mean(resume)),
    pause_phase_total_ms: r1(pauseTotal),
    resume_phase_total_ms: r1(resumeTotal),
    db_bytes_after_pause_phase: sizeAfterPause,
    db_bytes_final: finalBytes,
    db_bytes_per_chain: Math.round(finalBytes / n),
  };
}

// ---------------------------------------------------------------- arguments

/** `--name=value` arguments with the anchor's defaults; `--quick` shrinks everything. */
export function parseArguments(argv) {
  /** @type {Record<string, string>} */
  const named = {};
  for (const argument of argv) {
    if (argument === "--quick") {
      named.quick = "true";
      continue;
    }
    const match = /^--([^=]+)=(.*)$/.exec(argument);
    if (!match) throw new Error(`bad argument ${argument} (expected --name=value or --quick)`);
    named[match[1]] = match[2];
  }
  const quick = named.quick === "true";
  const number = (name, normal, small) => {
    const value = Number(named[name] ?? (quick ? small : normal));
    if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer`);
    return value;
  };
  return {
    quick,
    nThroughput: number("n-throughput", 2000, 200),
    nPause: number("n-pause", 1000, 100),
    nWarmup: number("warmup", 200, 40),
    named,
  };
}

// ---------------------------------------------------------------- peak RSS

/**
 * Peak resident set size of this process (getrusage maxRSS, kept by the kernel). The anchor
 * also sampled process.memoryUsage.rss() after every chain and found the same peak within
 * 0.1 MiB; sampling is left out here because at baton's chain times (about 1 ms) the ~8 µs
 * read would be harness cost inside the timed loop.
 */
export const maxRssMiB = () => MiB(process.resourceUsage().maxRSS * 1024);

/**
 * The floor: the same work (model JSON.parse + zod + state merge per step) as plain function
 * calls, with no engine and no persistence.
 */
export async function floorWork(n, schemas) {
  const model = async (step) => JSON.parse(FIXED_JSON[step]);
  const t0 = performance.now();
  for (let i = 0; i < n; i += 1) {
    let state = { input: makeRequest(i) };
    for (const step of STEPS) state = { ...state, [step]: schemas[step].parse(await model(step)) };
    checkOutputs(state.input, state, i);
  }
  const totalMs = performance.now() - t0;
  return { n, total_ms: r1(totalMs), per_step_us: r2((totalMs * 1000) / (n * STEPS.length)) };
}
