import { delimiter, resolve } from "node:path";
import { z } from "zod";
import { BatonError } from "./core/errors.js";
import type { ContextLimits } from "./core/context-budget.js";
import type { PriceTable } from "./core/pricing.js";
import { loadPrices, parseContextLimits } from "./model-settings.js";
import { tracingSettingsOf, type TracingSettings } from "./otlp-settings.js";
import { databaseSettingsOf, type DatabaseLocation } from "./database-settings.js";
import { SHIPPED_CHAINS_DIRECTORY } from "./package-location.js";

/**
 * Configuration from the environment, parsed once at start-up. Every variable is documented in
 * docs/configuration.md; an invalid one stops start-up with a message naming it and the fix.
 */
const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

const emptyToUndefined = (value: unknown): unknown => (typeof value === "string" && value.trim() === "" ? undefined : value);
const optionalText = z.preprocess(emptyToUndefined, z.string().trim().optional());

const EnvironmentSchema = z.object({
  OPENAI_API_KEY: optionalText,
  OPENAI_BASE_URL: z.preprocess(
    emptyToUndefined,
    z.url({ protocol: /^https?$/, message: "must be an http(s) URL such as http://localhost:11434/v1" }).optional(),
  ),
  BATON_MODEL: z.preprocess(emptyToUndefined, z.string().trim().default("gpt-4o-mini")),
  BATON_FALLBACK_MODELS: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .optional()
      .transform((text) =>
        (text ?? "")
          .split(",")
          .map((model) => model.trim())
          .filter((model) => model !== ""),
      ),
  ),
  BATON_DB: optionalText,
  DATABASE_URL: optionalText,
  // Checked in database-settings.ts (poolSizeOf), which `baton store copy` also reads it through.
  BATON_DB_POOL_SIZE: optionalText,
  BATON_LEASE_SECONDS: z.preprocess(
    emptyToUndefined,
    z.coerce.number({ message: "must be a whole number of seconds" }).int("must be a whole number of seconds").min(3).max(3_600).default(12),
  ),
  // One or more folders, separated like PATH (":" on Linux and macOS, ";" on Windows).
  BATON_CHAINS_DIR: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .optional()
      .transform((text) =>
        (text ?? "")
          .split(delimiter)
          .map((folder) => folder.trim())
          .filter((folder) => folder !== ""),
      ),
  ),
  LOG_LEVEL: z.preprocess(emptyToUndefined, z.enum(LOG_LEVELS, { message: `must be one of ${LOG_LEVELS.join(", ")}` }).optional()),
  BATON_RESPONSE_FORMAT: z.preprocess(
    emptyToUndefined,
    z.enum(["json_schema", "json_object", "prompt_only"], { message: "must be json_schema, json_object or prompt_only" }).default("json_schema"),
  ),
  // Azure OpenAI, by the names the `openai` package's Azure client reads.
  AZURE_OPENAI_ENDPOINT: z.preprocess(
    emptyToUndefined,
    z.url({ protocol: /^https?$/, message: "must be an http(s) URL such as https://my-resource.openai.azure.com" }).optional(),
  ),
  AZURE_OPENAI_API_KEY: optionalText,
  OPENAI_API_VERSION: optionalText,
  BATON_PRICES: optionalText,
  BATON_MODEL_CONTEXT_TOKENS: optionalText,
  BATON_MODEL_CONCURRENCY: z.preprocess(
    emptyToUndefined,
    z.coerce.number({ message: "must be a whole number" }).int("must be a whole number").min(1).max(256).default(8),
  ),
  BATON_MODEL_MAX_RETRIES: z.preprocess(
    emptyToUndefined,
    z.coerce.number({ message: "must be a whole number" }).int("must be a whole number").min(0).max(10).default(4),
  ),
  GITHUB_TOKEN: optionalText,
  BATON_REVIEW_CHAIN: z.preprocess(emptyToUndefined, z.string().trim().default("iac-review")),
  BATON_REVIEW_DRAFTS: z.preprocess(emptyToUndefined, z.enum(["true", "false"], { message: "must be true or false" }).default("false")),
  BATON_REVIEW_REPOSITORIES: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .optional()
      .transform((text) => (text ?? "").split(/[\s,]+/).filter((name) => name !== ""))
      .pipe(z.array(z.string().regex(/^[^/\s]+\/[^/\s]+$/, 'must list repositories as "owner/name", comma-separated'))),
  ),
  GITHUB_API_URL: z.preprocess(
    emptyToUndefined,
    z.url({ protocol: /^https?$/, message: "must be an http(s) URL such as https://ghe.example.com/api/v3" }).optional(),
  ),
  // Set by bin/build-sources.js, not by people: where each chain's compiled module is.
  BATON_BUILT_CHAINS: z.preprocess(emptyToUndefined, z.string().optional()),
});

export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Config {
  openAiApiKey: string | undefined;
  openAiBaseUrl: string | undefined;
  model: string;
  fallbackModels: string[];
  /** The SQLite file or PostgreSQL database: BATON_DB, else DATABASE_URL, else the default file (see database-settings.ts). */
  database: DatabaseLocation;
  /** Which variable chose `database` (`default` when neither is set), for hints and messages. */
  databaseSource: "BATON_DB" | "DATABASE_URL" | "default";
  /**
   * How long a process's claim on a running run lasts without renewal (BATON_LEASE_SECONDS).
   * A replica that dies has its runs taken over by another within about this long.
   */
  leaseMs: number;
  /** baton's own chains, always loaded. */
  shippedChainsDirectory: string;
  /** The user's chain folders (BATON_CHAINS_DIR), loaded beside the shipped ones, as absolute paths. */
  chainDirectories: string[];
  logLevel: LogLevel | undefined;
  /** The strongest response mode to ask for; a server that refuses it is asked one mode down. */
  responseFormat: "json_schema" | "json_object" | "prompt_only";
  /** Azure OpenAI instead of an OpenAI-style API root; BATON_MODEL then names the deployment. */
  azure?: { endpoint: string; apiKey: string; apiVersion: string } | undefined;
  prices: PriceTable;
  /** Models' context windows: the built-in table and `BATON_MODEL_CONTEXT_TOKENS`. */
  contextLimits: ContextLimits;
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
  /** The repositories baton reviews (`owner/name`): `baton doctor` checks GITHUB_TOKEN can read each. */
  reviewRepositories?: string[];
  /** OTLP trace export from the standard OTEL_* variables; undefined: tracing is off. */
  tracing?: TracingSettings | undefined;
}

const FIXES: Record<string, string> = {
  GITHUB_API_URL: "Set it to your GitHub Enterprise API base (https://<host>/api/v3), or unset it for github.com.",
  OPENAI_BASE_URL: "Set it to your OpenAI-compatible server's base URL, or unset it to use api.openai.com's default.",
  AZURE_OPENAI_ENDPOINT: "Set it to your Azure OpenAI resource's endpoint (https://<resource>.openai.azure.com), or unset it.",
  BATON_MODEL_CONCURRENCY: "Set it to a whole number from 1 to 256, or unset it for the default of 8.",
  BATON_MODEL_MAX_RETRIES: "Set it to a whole number from 0 to 10, or unset it for the default of 4.",
};

const CompiledChainsSchema = z.record(z.string(), z.string());

function parseCompiledChains(text: string): Record<string, string> {
  try {
    return CompiledChainsSchema.parse(JSON.parse(text));
  } catch {
    throw new BatonError("CONFIG_INVALID", "BATON_BUILT_CHAINS is not a JSON object of file paths. It is set by baton's launcher (bin/); unset it.", {
      variable: "BATON_BUILT_CHAINS",
    });
  }
}

function azureSettings(values: z.output<typeof EnvironmentSchema>): Config["azure"] {
  if (values.AZURE_OPENAI_ENDPOINT === undefined) return undefined;
  const missing = [
    values.AZURE_OPENAI_API_KEY === undefined ? "AZURE_OPENAI_API_KEY" : undefined,
    values.OPENAI_API_VERSION === undefined ? "OPENAI_API_VERSION" : undefined,
  ].filter((name) => name !== undefined);
  if (values.AZURE_OPENAI_API_KEY === undefined || values.OPENAI_API_VERSION === undefined) {
    throw new BatonError(
      "CONFIG_INVALID",
      `AZURE_OPENAI_ENDPOINT is set, but ${missing.join(" and ")} ${missing.length === 1 ? "is" : "are"} not. Set the resource's key (AZURE_OPENAI_API_KEY) and an API version that supports structured outputs (OPENAI_API_VERSION, e.g. 2024-10-21), and set BATON_MODEL to your deployment's name.`,
      { variable: missing[0] },
    );
  }
  if (values.OPENAI_BASE_URL !== undefined) {
    throw new BatonError(
      "CONFIG_INVALID",
      "AZURE_OPENAI_ENDPOINT and OPENAI_BASE_URL are both set. Unset OPENAI_BASE_URL to use Azure OpenAI, or AZURE_OPENAI_ENDPOINT to use the other server.",
      {
        variable: "OPENAI_BASE_URL",
      },
    );
  }
  return { endpoint: values.AZURE_OPENAI_ENDPOINT, apiKey: values.AZURE_OPENAI_API_KEY, apiVersion: values.OPENAI_API_VERSION };
}

/** Parse the environment. Throws CONFIG_INVALID naming the first bad variable. */
export function parseConfig(environment: Readonly<Record<string, string | undefined>>): Config {
  const parsed = EnvironmentSchema.safeParse(environment);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const variable = issue ? String(issue.path[0]) : "unknown";
    throw new BatonError(
      "CONFIG_INVALID",
      `${variable} is invalid: ${issue?.message ?? "unknown problem"}. ${FIXES[variable] ?? "See the table in docs/configuration.md."}`,
      { variable },
    );
  }
  const values = parsed.data;
  return {
    azure: azureSettings(values),
    openAiApiKey: values.OPENAI_API_KEY,
    openAiBaseUrl: values.OPENAI_BASE_URL,
    model: values.BATON_MODEL,
    fallbackModels: values.BATON_FALLBACK_MODELS,
    ...databaseSettingsOf(values, environment),
    leaseMs: values.BATON_LEASE_SECONDS * 1_000,
    shippedChainsDirectory: SHIPPED_CHAINS_DIRECTORY,
    chainDirectories: values.BATON_CHAINS_DIR.map((folder) => resolve(folder)),
    logLevel: values.LOG_LEVEL,
    responseFormat: values.BATON_RESPONSE_FORMAT,
    prices: loadPrices(values.BATON_PRICES),
    contextLimits: parseContextLimits(values.BATON_MODEL_CONTEXT_TOKENS),
    modelConcurrency: values.BATON_MODEL_CONCURRENCY,
    modelMaxRetries: values.BATON_MODEL_MAX_RETRIES,
    reviewChain: values.BATON_REVIEW_CHAIN,
    reviewDrafts: values.BATON_REVIEW_DRAFTS === "true",
    githubToken: values.GITHUB_TOKEN,
    githubApiUrl: values.GITHUB_API_URL,
    reviewRepositories: values.BATON_REVIEW_REPOSITORIES,
    tracing: tracingSettingsOf(environment),
    ...(values.BATON_BUILT_CHAINS === undefined ? {} : { compiledChains: parseCompiledChains(values.BATON_BUILT_CHAINS) }),
  };
}
