import { requestFingerprint } from '../fingerprint';
import type { IdGenerator } from '../ids';
import type { Page } from '../pagination';
import { type Clock, toIso } from '../time';
import { type Template, applyTemplateUpdate, assertStatusTransition, newTemplate } from './template';
import type { TemplateRepository } from './template-repository';
import type { CreateTemplateInput, TemplateStatus, UpdateTemplateInput } from './template-schema';

/** Back-office use cases for coupon templates. Plain functions over ports: nothing here knows Lambda or HTTP. */
export interface TemplateServiceDeps {
  readonly templates: TemplateRepository;
  readonly clock: Clock;
  readonly newId: IdGenerator;
}

/** What a status change needs besides: whoever must follow the template's status. */
export interface TemplateStatusDeps extends TemplateServiceDeps {
  /** Told after every status change (and on a repeated one, so an interrupted change is finished): campaigns pause and resume with their template. */
  readonly statusChanged: (templateId: string, status: TemplateStatus) => Promise<void>;
}

export type TemplateViewModel = Omit<Template, 'stock'> & { stock: { total: number; shards: number; carriedOver?: number; remaining?: number } };

const view = (template: Template, remaining?: number): TemplateViewModel => ({
  ...template,
  stock: { ...template.stock, ...(remaining === undefined ? {} : { remaining }) },
});

/**
 * Creates a draft template with its stock. With an Idempotency-Key (scoped to the calling system), a
 * retry of the same request answers the template the first one created (`replayed`), at any later time;
 * the same key with another request is refused.
 */
export async function createTemplate(
  deps: TemplateServiceDeps,
  input: CreateTemplateInput,
  idempotency?: { readonly caller: string; readonly key: string },
): Promise<{ readonly template: TemplateViewModel; readonly replayed: boolean }> {
  const template = newTemplate(input, deps.newId(), toIso(deps.clock()));
  const requestHash = requestFingerprint(input);
  const { createdEarlier } = await deps.templates.create(template, idempotency ? { ...idempotency, requestHash } : undefined);
  if (createdEarlier) return { template: await getTemplate(deps, createdEarlier), replayed: true };
  return { template: view(template, template.stock.total), replayed: false };
}

export async function getTemplate(deps: Pick<TemplateServiceDeps, 'templates'>, templateId: string): Promise<TemplateViewModel> {
  const found = await deps.templates.getWithStock(templateId);
  if (!found) return view(await deps.templates.require(templateId)); // require throws the 404
  return view(found.template, found.shards.reduce((sum, shard) => sum + shard.available, 0));
}

export async function listTemplates(
  deps: Pick<TemplateServiceDeps, 'templates'>,
  query: { status?: TemplateStatus; limit: number; cursor?: string },
): Promise<Page<TemplateViewModel>> {
  const page = await deps.templates.list(query);
  return { ...page, items: page.items.map((template) => view(template)) };
}

export async function updateTemplate(deps: TemplateServiceDeps, templateId: string, update: UpdateTemplateInput): Promise<TemplateViewModel> {
  const current = await deps.templates.require(templateId);
  const next = applyTemplateUpdate(current, update, toIso(deps.clock()));
  await deps.templates.replace(next, current);
  return view(next);
}

/** Asking for the status a template already has is a successful no-op, so a retried call is harmless. */
export async function changeTemplateStatus(deps: TemplateStatusDeps, templateId: string, status: TemplateStatus): Promise<TemplateViewModel> {
  const current = await deps.templates.require(templateId);
  const changed = current.status === status ? current : (assertStatusTransition(current.status, status), await deps.templates.changeStatus(current, status, toIso(deps.clock())));
  await deps.statusChanged(templateId, status);
  return view(changed);
}

export async function addTemplateStock(
  deps: TemplateServiceDeps,
  templateId: string,
  quantity: number,
  idempotencyKey?: string,
): Promise<TemplateViewModel> {
  const current = await deps.templates.require(templateId);
  await deps.templates.addStock(current, quantity, toIso(deps.clock()), idempotencyKey);
  return getTemplate(deps, templateId);
}
