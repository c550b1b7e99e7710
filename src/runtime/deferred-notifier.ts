import { BatonError } from "../core/errors.js";
import type { Notification, Notifier } from "../core/ports.js";

/**
 * A notifier bound after construction. The runner needs a notifier when it is built, and the
 * Slack notifier needs the Slack app, which needs the runner: this breaks the cycle. Nothing is
 * sent before `bind` (runs only start once the bot is up).
 */
export class DeferredNotifier implements Notifier {
  #target: Notifier | undefined;

  bind(target: Notifier): void {
    this.#target = target;
  }

  notify(notification: Notification): Promise<{ reference: string }> {
    if (!this.#target) {
      return Promise.reject(
        new BatonError("STEP_FAILED", "baton tried to send a notification before its Slack connection was ready; the step repeats when the run is recovered.", {
          runId: notification.runId,
        }),
      );
    }
    return this.#target.notify(notification);
  }
}
