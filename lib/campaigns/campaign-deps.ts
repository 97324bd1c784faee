import type { EventSink } from '../events/event-sink';
import type { TemplateRepository } from '../templates/template-repository';
import type { Clock } from '../time';
import type { AudienceStore } from './audience-store';
import type { CampaignRepository } from './campaign-repository';
import type { ChunkQueue, WorkerConcurrency } from './chunk-queue';

/** What the campaign use cases (HTTP requests and state machine steps) work with: ports, a clock, settings. */
export interface CampaignDeps {
  readonly campaigns: CampaignRepository;
  readonly templates: Pick<TemplateRepository, 'get' | 'stockShards'>;
  readonly audiences: AudienceStore;
  readonly queue: ChunkQueue;
  readonly events: EventSink;
  readonly workerConcurrency: WorkerConcurrency;
  readonly clock: Clock;
  readonly random: () => number;
  /** Hours a campaign may wait for its workers before it completes as timed out. */
  readonly deadlineHours: number;
  /** Attempts to reserve the stock while claims move the shards. */
  readonly reserveAttempts: number;
}
