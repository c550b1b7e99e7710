import { readFileSync } from "node:fs";
import { delimiter, resolve } from "node:path";
import { z } from "zod";
import { BatonError, describeError } from "./core/errors.js";
import { DEFAULT_PRICES, type PriceTable } from "./core/pricing.js";
import { formatPath } from "./core/validation.js";
import { defaultDatabasePath, SHIPPED_CHAINS_DIRECTORY } from "./package-location.js";

/**
 * Configuration from the environment, parsed once at start-up. Every variable is documented in
 * the README; an invalid one stops start-up with a message naming it and the fix.
 */
const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

const emptyToUndefined = (value: unknown): unknown => (typeof value === "string" && value.trim() === "" ? undefined : value);
const optionalText = z.preprocess(emptyToUndefined, z.string().trim().optional());

const EnvironmentSchema = z.object({
  OPENAI_API_KEY: optionalText,
  OPENAI_BASE_URL: z.preprocess(emptyToUndefined, z.url({ protocol: /^https?$/, message: "must be an http(s) URL such as http://localhost:11434/v1" }).optional()),
  BATON_MODEL: z.preprocess(emptyToUndefined, z.string().trim().default("gpt-4o-mini")),
  BATON_FALLBACK_MODELS: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .optional()
      .transform((text) => (text ?? "").split(",").map((model) => model.trim()).filter((model) => model !== "")),
  ),
  BATON_DB: optionalText,
  // One or more folders, separated like PATH (":" on Linux and macOS, ";" on Windows).
  BATON_CHAINS_DIR: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .optional()
      .transform((text) => (text ?? "").split(delimiter).map((folder) => folder.trim()).filter((folder) => folder !== "")),
  ),
  LOG_LEVEL: z.preprocess(emptyToUndefined, z.enum(LOG_LEVELS, { message: `must be one of ${LOG_LEVELS.join(", ")}` }).optional()),
  BATON_RESPONSE_FORMAT: z.preprocess(emptyToUndefined, z.enum(["json_schema", "json_object"], { message: "must be json_schema or json_object" }).default("json_schema")),
  BATON_PRICES: optionalText,
  BATON_MODEL_CONCURRENCY: z.preprocess(emptyToUndefined, z.coerce.number({ message: "must be a whole number" }).int("must be a whole number").min(1).max(256).default(8)),
  BATON_MODEL_MAX_RETRIES: z.preprocess(emptyToUndefined, z.coerce.number({ message: "must be a whole number" }).int("must be a whole number").min(0).max(10).default(4)),
  GITHUB_TOKEN: optionalText,
  BATON_REVIEW_CHAIN: z.preprocess(emptyToUndefined, z.string().trim().default("iac-review")),
  BATON_REVIEW_DRAFTS: z.preprocess(emptyToUndefined, z.enum(["true", "false"], { message: "must be true or false" }).default("false")),
  GITHUB_API_URL: z.preprocess(emptyToUndefined, z.url({ protocol: /^https?$/, message: "must be an http(s) URL such as https://ghe.example.com/api/v3" }).optional()),
  // Set by bin/build-sources.js, not by people: where each chain's compiled module is.
  BATON_BUILT_CHAINS: z.preprocess(emptyToUndefined, z.string().optional()),
});

export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Config {
  openAiApiKey: string | undefined;
  openAiBaseUrl: string | undefined;
  model: string;
  fallbackModels: string[];
  /** The SQLite file: BATON_DB, or `defaultDatabasePath` (see package-location.ts). */
  databasePath: string;
  /** Whether `databasePath` is the default one (BATON_DB unset), for hints and messages. */
  databaseIsDefault: boolean;
  /** baton's own chains, always loaded. */
  shippedChainsDirectory: string;
  /** The user's chain folders (BATON_CHAINS_DIR), loaded beside the shipped ones, as absolute paths. */
  chainDirectories: string[];
  logLevel: LogLevel | undefined;
  responseFormat: "json_schema" | "json_object";
  prices: PriceTable;
  modelConcurrency: number;
  modelMaxRetries: number;
  /**
   * Compiled JavaScript for chain entry files, by source path (from `bin/build-sources.js`):
   * `loadChains` imports these instead of the TypeScript. Absent under a TypeScript loader.
   */
  compiledChains?: Readonly<Record<string, string>>;
  /** The chain that reviews pull requests and plans. */
  reviewChain: string;
  /** Review draft pull requests too. */
  reviewDrafts: boolean;
  /** GitHub access for the IaC review (pull requests); undefined: no GitHub. */
  githubToken?: string | undefined;
  /** GitHub's REST API base (GitHub Enterprise: `https://<host>/api/v3`); undefined: api.github.com. */
  githubApiUrl?: string | undefined;
}

const FIXES: Record<string, string> = {
  GITHUB_API_URL: "Set it to your GitHub Enterprise API base (https://<host>/api/v3), or unset it for github.com.",
  OPENAI_BASE_URL: "Set it to your OpenAI-compatible server's base URL, or unset it to use api.openai.com's default.",
  BATON_MODEL_CONCURRENCY: "Set it to a whole number from 1 to 256, or unset it for the default of 8.",
  BATON_MODEL_MAX_RETRIES: "Set it to a whole number from 0 to 10, or unset it for the default of 4.",
};

const CompiledChainsSchema = z.record(z.string(), z.string());

function parseCompiledChains(text: string): Record<string, string> {
  try {
    return CompiledChainsSchema.parse(JSON.parse(text));
  } catch {
    throw new BatonError("CONFIG_INVALID", "BATON_BUILT_CHAINS is not a JSON object of file paths. It is set by baton's launcher (bin/); unset it.", { variable: "BATON_BUILT_CHAINS" });
  }
}

const PriceFileSchema = z.record(z.string(), z.object({ inputPerMillion: z.number().nonnegative(), outputPerMillion: z.number().nonnegative() }));

function loadPrices(path: string | undefined): PriceTable {
  if (path === undefined) return DEFAULT_PRICES;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8")) as unknown;
  } catch (error) {
    throw new BatonError("CONFIG_INVALID", `BATON_PRICES points at ${path}, which could not be read as JSON (${describeError(error)}). Fix the file or unset BATON_PRICES.`, {
      variable: "BATON_PRICES",
    });
  }
  const parsed = PriceFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new BatonError(
      "CONFIG_INVALID",
      `BATON_PRICES file ${path} is not a price table: ${issue ? `${formatPath(issue.path)}: ${issue.message}` : "unknown problem"}. Write {"model-id": {"inputPerMillion": 0.15, "outputPerMillion": 0.6}}.`,
      { variable: "BATON_PRICES" },
    );
  }
  return { ...DEFAULT_PRICES, ...parsed.data };
}

/** Parse the environment. Throws CONFIG_INVALID naming the first bad variable. */
export function parseConfig(environment: Readonly<Record<string, string | undefined>>): Config {
  const parsed = EnvironmentSchema.safeParse(environment);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const variable = issue ? String(issue.path[0]) : "unknown";
    throw new BatonError(
      "CONFIG_INVALID",
      `${variable} is invalid: ${issue?.message ?? "unknown problem"}. ${FIXES[variable] ?? "See the configuration table in README.md."}`,
      { variable },
    );
  }
  const values = parsed.data;
  return {
    openAiApiKey: values.OPENAI_API_KEY,
    openAiBaseUrl: values.OPENAI_BASE_URL,
    model: values.BATON_MODEL,
    fallbackModels: values.BATON_FALLBACK_MODELS,
    databasePath: values.BATON_DB ?? defaultDatabasePath(environment),
    databaseIsDefault: values.BATON_DB === undefined,
    shippedChainsDirectory: SHIPPED_CHAINS_DIRECTORY,
    chainDirectories: values.BATON_CHAINS_DIR.map((folder) => resolve(folder)),
    logLevel: values.LOG_LEVEL,
    responseFormat: values.BATON_RESPONSE_FORMAT,
    prices: loadPrices(values.BATON_PRICES),
    modelConcurrency: values.BATON_MODEL_CONCURRENCY,
    modelMaxRetries: values.BATON_MODEL_MAX_RETRIES,
    reviewChain: values.BATON_REVIEW_CHAIN,
    reviewDrafts: values.BATON_REVIEW_DRAFTS === "true",
    githubToken: values.GITHUB_TOKEN,
    githubApiUrl: values.GITHUB_API_URL,
    ...(values.BATON_BUILT_CHAINS === undefined ? {} : { compiledChains: parseCompiledChains(values.BATON_BUILT_CHAINS) }),
  };
}
