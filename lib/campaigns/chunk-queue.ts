import type { ChunkMessage } from './campaign';

/**
 * Where campaign chunks wait for the worker: a FIFO queue whose message groups are the campaign's lanes.
 * A chunk sent twice within the queue's deduplication window is taken once; `resend` names a deliberate
 * second sending (a parked chunk after resume) so that it is not taken for a duplicate.
 */
export interface ChunkQueue {
  send(messages: readonly ChunkMessage[], options?: { readonly resend?: string }): Promise<void>;
}

/** How many worker batches may run at once: the campaign's `rate.maxConcurrency`. */
export interface WorkerConcurrency {
  set(maxConcurrency: number): Promise<void>;
}

/** The message group of a chunk: its campaign's lane. */
export const messageGroupOf = (message: Pick<ChunkMessage, 'campaignId' | 'lane'>): string => `${message.campaignId}:${message.lane}`;
