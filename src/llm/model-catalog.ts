import OpenAI from "openai";
import { describeError } from "../core/errors.js";

/**
 * Does the model server know this model, and does it take our key? OpenAI's Models API
 * (API reference → Models → "Retrieve model", `GET /v1/models/{model}`) answers the model object
 * (`{ id, object: "model", created, owned_by }`), 401 `invalid_api_key` for a key it refuses, and
 * 404 `model_not_found` for a model that does not exist or the key cannot use. Costs no tokens,
 * which is why the bot asks it at start-up.
 */

export type ModelLookup =
  | { kind: "found"; id: string; ownedBy: string | undefined }
  /** 404: no such model (or not for this key). */
  | { kind: "not_found"; message: string }
  /** 401 / 403: the key is refused. */
  | { kind: "key_refused"; status: number; message: string }
  /** No answer, or one that is not the Models API's (a 5xx, a proxy's page). */
  | { kind: "unreachable"; message: string };

export interface ModelCatalogOptions {
  apiKey: string;
  /** The API root, e.g. `http://localhost:11434/v1`. Default OpenAI's. */
  baseURL: string | undefined;
  /** Default 10 s: a doctor check must not hang. */
  timeoutMs?: number;
}

export class OpenAiModelCatalog {
  readonly #client: OpenAI;

  constructor(options: ModelCatalogOptions) {
    this.#client = new OpenAI({
      apiKey: options.apiKey,
      ...(options.baseURL === undefined ? {} : { baseURL: options.baseURL }),
      // Explicit values, so the SDK does not fill them from OPENAI_* variables.
      organization: null,
      project: null,
      maxRetries: 1,
      timeout: options.timeoutMs ?? 10_000,
      logLevel: "off",
    });
  }

  async lookUp(model: string): Promise<ModelLookup> {
    try {
      const found = await this.#client.models.retrieve(model);
      // `unknown` first: a server that is not OpenAI's may answer 200 with anything.
      const body: unknown = found;
      if (typeof body !== "object" || body === null || typeof (body as { id?: unknown }).id !== "string") {
        return { kind: "unreachable", message: `the answer to GET /models/${model} is not a model object` };
      }
      const ownedBy = (body as { owned_by?: unknown }).owned_by;
      return { kind: "found", id: (body as { id: string }).id, ownedBy: typeof ownedBy === "string" ? ownedBy : undefined };
    } catch (error) {
      if (error instanceof OpenAI.NotFoundError) return { kind: "not_found", message: error.message };
      if (error instanceof OpenAI.AuthenticationError || error instanceof OpenAI.PermissionDeniedError)
        return { kind: "key_refused", status: error.status, message: error.message };
      return { kind: "unreachable", message: describeError(error) };
    }
  }
}
