/**
 * A small typed publish/subscribe. Adapters (Slack cards, metrics, the terminal) listen to the
 * runner through it; a listener that throws is reported, never allowed to break a run.
 */
export type Listener<Payload> = (payload: Payload) => void | Promise<void>;

export class EventBus<Events extends { [Type in keyof Events]: unknown }> {
  readonly #listeners = new Map<keyof Events, Set<Listener<never>>>();
  readonly #onListenerError: (type: keyof Events, error: unknown, payload: unknown) => void;

  /** `onListenerError` hears the payload too, so its report can name the run it was about. */
  constructor(onListenerError: (type: keyof Events, error: unknown, payload: unknown) => void) {
    this.#onListenerError = onListenerError;
  }

  /** Subscribe; returns the function that unsubscribes. */
  on<Type extends keyof Events>(type: Type, listener: Listener<Events[Type]>): () => void {
    let set = this.#listeners.get(type);
    if (!set) {
      set = new Set();
      this.#listeners.set(type, set);
    }
    set.add(listener as Listener<never>);
    return () => set.delete(listener as Listener<never>);
  }

  emit<Type extends keyof Events>(type: Type, payload: Events[Type]): void {
    const set = this.#listeners.get(type);
    if (!set) return;
    for (const listener of set) {
      try {
        const result = (listener as Listener<Events[Type]>)(payload);
        if (result instanceof Promise) result.catch((error: unknown) => this.#onListenerError(type, error, payload));
      } catch (error) {
        this.#onListenerError(type, error, payload);
      }
    }
  }
}
