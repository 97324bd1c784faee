import type { ImportMessage } from './import';
import type { ImportQueue } from './import-service';

/**
 * The import queue inside one process (the CLI against a table, tests, the benchmark): messages wait in
 * memory and `drain` runs them, `concurrency` at a time, until none is left (a delayed one when its
 * delay is over, as SQS would deliver it). A message that throws is tried again, like an SQS
 * redelivery, up to `attempts` times.
 */
export class InProcessImportQueue implements ImportQueue {
  private readonly waiting: Array<{ message: ImportMessage; attempts: number; dueAtMs: number }> = [];

  async send(messages: readonly ImportMessage[], options: { readonly delaySeconds?: number } = {}): Promise<void> {
    const dueAtMs = Date.now() + (options.delaySeconds ?? 0) * 1000;
    this.waiting.push(...messages.map((message) => ({ message, attempts: 0, dueAtMs })));
  }

  async drain(handle: (message: ImportMessage) => Promise<void>, options: { concurrency: number; attempts?: number; onDone?: (message: ImportMessage) => void }): Promise<void> {
    const attempts = options.attempts ?? 3;
    const running = new Set<Promise<void>>();
    let failure: unknown;
    while ((this.waiting.length > 0 || running.size > 0) && failure === undefined) {
      let due = this.nextDue();
      while (due !== undefined && running.size < options.concurrency) {
        const next = this.waiting.splice(due, 1)[0]!;
        const run: Promise<void> = handle(next.message)
          .then(() => options.onDone?.(next.message))
          .catch((error: unknown) => {
            if (next.attempts + 1 >= attempts) failure = error;
            else this.waiting.push({ message: next.message, attempts: next.attempts + 1, dueAtMs: 0 });
          })
          .finally(() => running.delete(run));
        running.add(run);
        due = this.nextDue();
      }
      if (running.size > 0) await Promise.race(running);
      else if (this.waiting.length > 0) await new Promise((resolve) => setTimeout(resolve, Math.max(0, Math.min(...this.waiting.map((entry) => entry.dueAtMs)) - Date.now())));
    }
    await Promise.all(running);
    if (failure !== undefined) throw failure;
  }

  private nextDue(): number | undefined {
    const now = Date.now();
    const index = this.waiting.findIndex((entry) => entry.dueAtMs <= now);
    return index === -1 ? undefined : index;
  }
}
