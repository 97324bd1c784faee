import { CreateTemplateInput } from '../../lib/templates/template-schema';
import { changeTemplateStatus, createTemplate, type TemplateStatusDeps } from '../../lib/templates/template-service';

/** Demo templates for the local stack: the first three are active and claimable by anyone. */
const demoTemplates: Array<{ input: unknown; activate: boolean }> = [
  {
    activate: true,
    input: {
      name: 'Welcome: 5 EUR off orders from 20 EUR',
      currency: 'EUR',
      effect: { type: 'amount_off', amountOff: 500, minSpend: 2000 },
      validity: { type: 'relative', days: 30 },
      stock: { total: 100_000 },
      perUserLimit: 1,
    },
  },
  {
    activate: true,
    input: {
      name: '10% off electronics, at most 20 EUR',
      currency: 'EUR',
      effect: { type: 'percent_off', percentOffBps: 1000, maxDiscount: 2000 },
      validity: { type: 'relative', days: 7 },
      stock: { total: 1_000 },
      perUserLimit: 2,
      scope: { include: { categoryIds: ['electronics'] } },
      stacking: { type: 'group', group: 'category' },
    },
  },
  {
    activate: true,
    input: {
      name: 'Trade-in bonus: +15 EUR on phones sold to us',
      currency: 'EUR',
      effect: { type: 'payout_amount', bonus: 1500, minPayout: 10000 },
      validity: { type: 'relative', days: 14 },
      stock: { total: 5_000 },
      perUserLimit: 1,
      scope: { include: { categoryIds: ['phones'] } },
    },
  },
  {
    activate: false,
    input: {
      name: 'VIP: 20 EUR off 100 EUR (draft)',
      currency: 'EUR',
      effect: { type: 'amount_off', amountOff: 2000, minSpend: 10000 },
      validity: { type: 'relative', days: 30 },
      stock: { total: 500 },
      stacking: { type: 'exclusive' },
      audience: { allOfTags: ['vip'] },
    },
  },
];

export async function seedDemoTemplates(deps: TemplateStatusDeps): Promise<string[]> {
  const ids: string[] = [];
  for (const demo of demoTemplates) {
    const { template } = await createTemplate(deps, CreateTemplateInput.parse(demo.input));
    if (demo.activate) await changeTemplateStatus(deps, template.id, 'active');
    ids.push(template.id);
  }
  return ids;
}
