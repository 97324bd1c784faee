import { Entity } from '../../lib/entities';
import { scanAll, type TestTable } from './dynamodb';

/** Every template, coupon and claim counter the table holds (what an import writes). */
export async function written(table: TestTable) {
  const items = await scanAll(table);
  return {
    templates: items.filter((item) => item.entity === Entity.template),
    coupons: items.filter((item) => item.entity === Entity.coupon),
    counters: items.filter((item) => item.entity === Entity.claimCounter),
  };
}

/** Each user's counter of each claimable template equals the coupons of it the user holds. */
export async function countersAgree(table: TestTable): Promise<string[]> {
  const { coupons, counters, templates } = await written(table);
  const claimable = new Set(templates.filter((t) => t.claimable).map((t) => String(t.id)));
  const held = new Map<string, number>();
  for (const coupon of coupons) if (claimable.has(String(coupon.templateId))) held.set(`${coupon.userId}|${coupon.templateId}`, (held.get(`${coupon.userId}|${coupon.templateId}`) ?? 0) + 1);
  const counted = new Map(counters.map((counter) => [`${String(counter.pk).slice('USER#'.length)}|${counter.templateId}`, Number(counter.claimed)]));
  const keys = new Set([...held.keys(), ...counted.keys()]);
  return [...keys].filter((key) => held.get(key) !== counted.get(key));
}

