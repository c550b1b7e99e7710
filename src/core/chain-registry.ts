import type { Chain, ChainDefinition } from "./chain.js";
import { BatonError } from "./errors.js";

/** What the deployment supplies where a chain is silent (from the configuration). */
export interface ChainDefaults {
  /** Approvers for chains that name none (`BATON_APPROVERS`). */
  approvers?: ReadonlyArray<string>;
}

/** The chains this process knows, by id. */
export class ChainRegistry {
  readonly #chains = new Map<string, ChainDefinition>();

  readonly #defaults: ChainDefaults;

  constructor(chains: ReadonlyArray<Chain<unknown, never> | Chain> = [], defaults: ChainDefaults = {}) {
    this.#defaults = defaults;
    for (const chain of chains) this.add(chain);
  }

  add(chain: Chain<unknown, never> | Chain): void {
    const definition = this.#withDefaults(chain.definition);
    if (this.#chains.has(definition.id)) {
      throw new BatonError("CHAIN_INVALID", `Two chains have the id "${definition.id}". Rename one of them: chain ids must be unique.`, {
        chainId: definition.id,
      });
    }
    this.#chains.set(definition.id, definition);
  }

  has(chainId: string): boolean {
    return this.#chains.has(chainId);
  }

  /** The chain, or CHAIN_NOT_FOUND listing the chains there are. */
  get(chainId: string): ChainDefinition {
    const chain = this.#chains.get(chainId);
    if (chain) return chain;
    const known = this.ids();
    throw new BatonError(
      "CHAIN_NOT_FOUND",
      `There is no chain "${chainId}". ${known.length === 0 ? "No chains are loaded: put your chains' folders in a folder named by BATON_CHAINS_DIR." : `Available chains: ${known.join(", ")}.`}`,
      { chainId, available: known },
    );
  }

  ids(): string[] {
    return [...this.#chains.keys()].sort();
  }

  list(): ChainDefinition[] {
    return this.ids().map((id) => this.#chains.get(id) as ChainDefinition);
  }

  #withDefaults(definition: ChainDefinition): ChainDefinition {
    const approvers = definition.approvers.length > 0 ? definition.approvers : (this.#defaults.approvers ?? []);
    return { ...definition, approvers };
  }
}
