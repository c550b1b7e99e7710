import type { Chain, ChainDefinition } from "./chain.js";
import { BatonError } from "./errors.js";

/** The chains this process knows, by id. */
export class ChainRegistry {
  readonly #chains = new Map<string, ChainDefinition>();

  constructor(chains: ReadonlyArray<Chain<unknown, never> | Chain> = []) {
    for (const chain of chains) this.add(chain);
  }

  add(chain: Chain<unknown, never> | Chain): void {
    const definition = chain.definition;
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
      `There is no chain "${chainId}". ${known.length === 0 ? "No chains are loaded: add one under chains/." : `Available chains: ${known.join(", ")}.`}`,
      { chainId, available: known },
    );
  }

  ids(): string[] {
    return [...this.#chains.keys()].sort();
  }

  list(): ChainDefinition[] {
    return this.ids().map((id) => this.#chains.get(id) as ChainDefinition);
  }
}
