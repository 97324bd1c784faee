import type { ChunkMessage } from './campaign';

/** Where campaign chunks wait for the worker. */
export interface ChunkQueue {
  send(messages: readonly ChunkMessage[]): Promise<void>;
}

/** How many worker batches may run at once: the campaign's `rate.maxConcurrency`. */
export interface WorkerConcurrency {
  set(maxConcurrency: number): Promise<void>;
}
