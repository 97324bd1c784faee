/**
 * A legacy data set as a monolith would export it: templates and users' coupons as JSON Lines (coupons
 * also as CSV), with a share of broken records whose lines are known. Deterministic for a seed. Used by
 * the import tests, the import benchmark and the README's walk-through.
 */
export interface LegacyDataSet {
  readonly templates: string;
  readonly coupons: string;
  /** 1-based lines of the coupons file that are broken, and why (what the import must report). */
  readonly brokenLines: ReadonlyMap<number, string>;
  readonly validCoupons: number;
  /** The valid coupon records, by external id. */
  readonly records: ReadonlyMap<string, LegacyCoupon>;
}

export interface LegacyCoupon {
  externalId: string;
  userId: string;
  templateExternalId: string;
  status: 'unused' | 'frozen' | 'used' | 'expired';
  orderId?: string;
  issuedAt: string;
  usedAt?: string;
  updatedAt: string;
}

/** A small deterministic generator (mulberry32), so a seed gives the same data set everywhere. */
function randomOf(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const BREAKAGES = ['not-json', 'missing-user', 'unknown-status', 'used-without-order', 'unknown-template', 'bad-date'] as const;

export function legacyDataSet(options: { coupons: number; users: number; templates: number; brokenShare: number; seed?: number; prefix?: string }): LegacyDataSet {
  const random = randomOf(options.seed ?? 1);
  const prefix = options.prefix ?? 'legacy';
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const templates: string[] = [];
  for (let t = 0; t < options.templates; t++) {
    templates.push(
      JSON.stringify({
        externalId: `${prefix}-tpl-${t}`,
        name: `Legacy template ${t}`,
        currency: 'EUR',
        effect: t % 2 === 0 ? { type: 'amount_off', amountOff: 500 + t, minSpend: 2_000 } : { type: 'percent_off', percentOffBps: 1_000 },
        validity: { type: 'fixed', from: '2026-01-01T00:00:00.000Z', until: '2028-01-01T00:00:00.000Z' },
        status: 'active',
        stock: { total: options.coupons * 2, issued: options.coupons },
        perUserLimit: 100,
        claimable: t % 3 !== 0,
        createdAt: '2025-06-01T00:00:00.000Z',
      }),
    );
  }
  const brokenLines = new Map<number, string>();
  const records = new Map<string, LegacyCoupon>();
  const lines: string[] = [];
  for (let i = 0; i < options.coupons; i++) {
    const line = i + 1;
    const status = pick(['unused', 'unused', 'unused', 'frozen', 'used', 'expired'] as const);
    const issuedMs = Date.UTC(2026, 0, 1) + Math.floor(random() * 300) * 86_400_000 + i;
    const record: LegacyCoupon = {
      externalId: `${prefix}-cpn-${i}`,
      userId: `${prefix}-user-${Math.floor(random() * options.users)}`,
      templateExternalId: `${prefix}-tpl-${Math.floor(random() * options.templates)}`,
      status,
      ...(status === 'frozen' || status === 'used' ? { orderId: `legacy-order-${i}` } : {}),
      issuedAt: new Date(issuedMs).toISOString(),
      ...(status === 'used' ? { usedAt: new Date(issuedMs + 3_600_000).toISOString() } : {}),
      updatedAt: new Date(issuedMs + 7_200_000).toISOString(),
    };
    if (random() < options.brokenShare) {
      const breakage = pick(BREAKAGES);
      brokenLines.set(line, breakage);
      lines.push(broken(record, breakage));
      continue;
    }
    records.set(record.externalId, record);
    lines.push(JSON.stringify(record));
  }
  return { templates: `${templates.join('\n')}\n`, coupons: `${lines.join('\n')}\n`, brokenLines, validCoupons: records.size, records };
}

function broken(record: LegacyCoupon, breakage: (typeof BREAKAGES)[number]): string {
  switch (breakage) {
    case 'not-json':
      return JSON.stringify(record).slice(0, -3);
    case 'missing-user': {
      const { userId: _missing, ...rest } = record;
      return JSON.stringify(rest);
    }
    case 'unknown-status':
      return JSON.stringify({ ...record, status: 'gifted' });
    case 'used-without-order': {
      const { orderId: _missing, ...rest } = record;
      return JSON.stringify({ ...rest, status: 'used', usedAt: record.updatedAt });
    }
    case 'unknown-template':
      return JSON.stringify({ ...record, templateExternalId: 'no-such-template' });
    case 'bad-date':
      return JSON.stringify({ ...record, issuedAt: '2026-13-45' });
  }
}

/** The same coupons as CSV (header line first): broken lines stay broken, one line for one line. */
export function asCsv(jsonl: string): string {
  const columns = ['externalId', 'userId', 'templateExternalId', 'status', 'orderId', 'issuedAt', 'usedAt', 'updatedAt'];
  const rows = jsonl
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      try {
        const record = JSON.parse(line) as Record<string, string>;
        return columns.map((column) => record[column] ?? '').join(',');
      } catch {
        return 'a,"broken';
      }
    });
  return `${columns.join(',')}\n${rows.join('\n')}\n`;
}
