import type { EventSink } from '../events/event-sink';
import type { TemplateRepository } from '../templates/template-repository';
import type { Clock } from '../time';
import type { AudienceStore } from './audience-store';
import type { CampaignRepository } from './campaign-repository';
import type { ChunkQueue, WorkerConcurrency } from './chunk-queue';
import type { ChunkRepository } from './chunk-repository';

/** What the campaign use cases (HTTP requests and state machine steps) work with: ports, a clock, settings. */
export interface CampaignDeps {
  readonly campaigns: CampaignRepository;
  readonly chunks: ChunkRepository;
  readonly templates: Pick<TemplateRepository, 'get' | 'stockShards'>;
  readonly audiences: AudienceStore;
  readonly queue: ChunkQueue;
  readonly events: EventSink;
  readonly workerConcurrency: WorkerConcurrency;
  readonly clock: Clock;
  readonly random: () => number;
  /** Hours a campaign may run (pauses included) before it is cancelled with the reason DEADLINE. */
  readonly deadlineHours: number;
  /** Attempts to reserve the stock while claims move the shards. */
  readonly reserveAttempts: number;
  /** Most reservation shards a campaign spreads its stock over. */
  readonly maxReservationShards: number;
}
