import type { Notification, Notifier } from "../core/ports.js";

/** Notifications printed at the terminal: the CLI's stand-in for a Slack channel. */
export class TerminalNotifier implements Notifier {
  readonly #write: (text: string) => void;

  constructor(write: (text: string) => void) {
    this.#write = write;
  }

  async notify(notification: Notification): Promise<{ reference: string }> {
    const rule = "─".repeat(Math.min(72, Math.max(20, notification.title.length + 4)));
    this.#write(`\n📣 ${notification.title}\n${rule}\n${notification.text}\n${rule}\n`);
    return { reference: `terminal:${notification.idempotencyKey}` };
  }
}
