import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Notification, Notifier } from "../core/ports.js";

/**
 * Notifications printed at the terminal: the CLI's stand-in for a Slack channel. A document
 * attached to one is written to `attachmentsDirectory` (beside the database) and its path printed.
 */
export class TerminalNotifier implements Notifier {
  readonly #write: (text: string) => void;
  readonly #attachmentsDirectory: string;

  constructor(write: (text: string) => void, attachmentsDirectory = "data") {
    this.#write = write;
    this.#attachmentsDirectory = attachmentsDirectory;
  }

  async notify(notification: Notification): Promise<{ reference: string }> {
    const rule = "─".repeat(Math.min(72, Math.max(20, notification.title.length + 4)));
    let saved = "";
    if (notification.attachment) {
      const directory = join(this.#attachmentsDirectory, notification.runId);
      mkdirSync(directory, { recursive: true });
      const path = join(directory, notification.attachment.filename.replace(/[^A-Za-z0-9._-]/g, "_"));
      writeFileSync(path, notification.attachment.content);
      saved = `\n📎 ${notification.attachment.title}: ${path}`;
    }
    this.#write(`\n📣 ${notification.title}\n${rule}\n${notification.text}\n${rule}${saved}\n`);
    return { reference: `terminal:${notification.idempotencyKey}` };
  }
}
