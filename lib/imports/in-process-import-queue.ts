import type { ImportMessage } from './import';
import type { ImportQueue } from './import-service';

/**
 * The import queue inside one process (the CLI against a table, tests, the benchmark): messages wait in
 * memory and `drain` runs them, `concurrency` at a time, until none is left. A message that throws is
 * tried again, like an SQS redelivery, up to `attempts` times.
 */
export class InProcessImportQueue implements ImportQueue {
  private readonly waiting: Array<{ message: ImportMessage; attempts: number }> = [];

  async send(messages: readonly ImportMessage[]): Promise<void> {
    this.waiting.push(...messages.map((message) => ({ message, attempts: 0 })));
  }

  async drain(handle: (message: ImportMessage) => Promise<void>, options: { concurrency: number; attempts?: number; onDone?: (message: ImportMessage) => void }): Promise<void> {
    const attempts = options.attempts ?? 3;
    const running = new Set<Promise<void>>();
    let failure: unknown;
    while ((this.waiting.length > 0 || running.size > 0) && failure === undefined) {
      while (this.waiting.length > 0 && running.size < options.concurrency) {
        const next = this.waiting.shift()!;
        const run: Promise<void> = handle(next.message)
          .then(() => options.onDone?.(next.message))
          .catch((error: unknown) => {
            if (next.attempts + 1 >= attempts) failure = error;
            else this.waiting.push({ message: next.message, attempts: next.attempts + 1 });
          })
          .finally(() => running.delete(run));
        running.add(run);
      }
      if (running.size > 0) await Promise.race(running);
    }
    await Promise.all(running);
    if (failure !== undefined) throw failure;
  }
}
