import { documentClientFromEnvironment } from './clients';
import { config } from './config';
import { newId } from './ids';
import { BlocklistRepository } from './settings/blocklist-repository';
import { TemplateRepository } from './templates/template-repository';
import type { TemplateServiceDeps } from './templates/template-service';
import { systemClock } from './time';

/**
 * The composition root for Lambda functions: wires adapters to the environment's clients and
 * configuration. Handlers call these once at cold start; tests build the same objects by hand
 * against DynamoDB Local instead.
 */
export function templateServiceDeps(): TemplateServiceDeps {
  return { templates: new TemplateRepository(documentClientFromEnvironment(), config().tableName), clock: systemClock, newId };
}

export function blocklistRepository(): BlocklistRepository {
  return new BlocklistRepository(documentClientFromEnvironment(), config().tableName);
}
