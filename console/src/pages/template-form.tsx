import { useMemo, useState } from 'preact/hooks';
import { quote } from '../../../lib/pricing/pricing-engine';
import type { components, paths } from '../../../clients/typescript/index';
import { ApiProblem } from '../api';
import { formatMoney, toBasisPoints, toMinorUnits } from '../money';
import { ErrorNote, Field } from '../ui';

export type CreateTemplateBody = paths['/v1/admin/templates']['post']['requestBody']['content']['application/json'];
export type TemplateView = paths['/v1/admin/templates/{templateId}']['get']['responses'][200]['content']['application/json'];
type Effect = CreateTemplateBody['effect'];
void (undefined as unknown as components);

/** Every field of the form as typed (text), so that what the user typed survives a failed save. */
export type FormState = {
  name: string;
  description: string;
  currency: string;
  effectType: Effect['type'];
  amount: string;
  percent: string;
  cap: string;
  minimum: string;
  validityType: 'relative' | 'fixed';
  days: string;
  validFrom: string;
  validUntil: string;
  claimFrom: string;
  claimUntil: string;
  stockTotal: string;
  stockShards: string;
  perUserLimit: string;
  includeProducts: string;
  includeCategories: string;
  includeMerchants: string;
  excludeProducts: string;
  excludeCategories: string;
  excludeMerchants: string;
  stackingType: 'group' | 'exclusive';
  stackingGroup: string;
  allOfTags: string;
  anyOfTags: string;
  reminders: string;
  claimable: boolean;
  returnOnRefund: boolean;
};

export const emptyForm: FormState = {
  name: '',
  description: '',
  currency: 'EUR',
  effectType: 'amount_off',
  amount: '',
  percent: '',
  cap: '',
  minimum: '',
  validityType: 'relative',
  days: '30',
  validFrom: '',
  validUntil: '',
  claimFrom: '',
  claimUntil: '',
  stockTotal: '1000',
  stockShards: '',
  perUserLimit: '1',
  includeProducts: '',
  includeCategories: '',
  includeMerchants: '',
  excludeProducts: '',
  excludeCategories: '',
  excludeMerchants: '',
  stackingType: 'group',
  stackingGroup: 'default',
  allOfTags: '',
  anyOfTags: '',
  reminders: '',
  claimable: true,
  returnOnRefund: true,
};

const list = (text: string): string[] => text.split(/[,\s]+/).map((part) => part.trim()).filter(Boolean);
const isoOf = (local: string): string => (local ? new Date(local).toISOString() : '');
const localOf = (iso: unknown): string => (typeof iso === 'string' && iso ? new Date(new Date(iso).getTime() - new Date().getTimezoneOffset() * 60_000).toISOString().slice(0, 16) : '');
const majorOf = (minor: number | undefined, currency: string): string => (minor === undefined ? '' : formatMoney(minor, currency).split(' ')[0]!);
const percentText = (bps: number | undefined): string => (bps === undefined ? '' : String(bps / 100));

export function formOf(template: TemplateView): FormState {
  const effect = template.effect as Effect & Record<string, number | undefined>;
  const c = template.currency;
  return {
    ...emptyForm,
    name: template.name,
    description: template.description ?? '',
    currency: c,
    effectType: effect.type,
    amount: majorOf(effect.type === 'amount_off' ? effect.amountOff : effect.type === 'payout_amount' ? effect.bonus : undefined, c),
    percent: percentText(effect.type === 'percent_off' ? effect.percentOffBps : effect.type === 'payout_percent' ? effect.bonusBps : undefined),
    cap: majorOf(effect.maxDiscount ?? effect.maxBonus, c),
    minimum: majorOf(effect.minSpend ?? effect.minPayout, c),
    validityType: template.validity.type,
    days: template.validity.type === 'relative' ? String(template.validity.days) : '',
    validFrom: template.validity.type === 'fixed' ? localOf(template.validity.from) : '',
    validUntil: template.validity.type === 'fixed' ? localOf(template.validity.until) : '',
    claimFrom: localOf(template.claimWindow?.from),
    claimUntil: localOf(template.claimWindow?.until),
    stockTotal: String(template.stock.total),
    stockShards: String(template.stock.shards),
    perUserLimit: String(template.perUserLimit),
    includeProducts: template.scope.include?.productIds?.join(', ') ?? '',
    includeCategories: template.scope.include?.categoryIds?.join(', ') ?? '',
    includeMerchants: template.scope.include?.merchantIds?.join(', ') ?? '',
    excludeProducts: template.scope.exclude?.productIds?.join(', ') ?? '',
    excludeCategories: template.scope.exclude?.categoryIds?.join(', ') ?? '',
    excludeMerchants: template.scope.exclude?.merchantIds?.join(', ') ?? '',
    stackingType: template.stacking.type,
    stackingGroup: template.stacking.type === 'group' ? template.stacking.group : '',
    allOfTags: template.audience?.allOfTags?.join(', ') ?? '',
    anyOfTags: template.audience?.anyOfTags?.join(', ') ?? '',
    reminders: template.reminders?.join(', ') ?? '',
    claimable: template.claimable,
    returnOnRefund: template.returnOnRefund,
  };
}

type Built = { body: CreateTemplateBody; issues: Array<{ path: string; message: string }> };

/**
 * The API's body from the form. Only what the API cannot be sent is checked here (an amount that is not
 * a number); every rule about values (ranges, dates in order, durations) is the API's, and its field
 * issues are shown next to the fields.
 */
export function buildBody(form: FormState): Built {
  const issues: Built['issues'] = [];
  const money = (path: string, text: string, required: boolean): number | undefined => {
    if (!text.trim()) {
      if (required) issues.push({ path, message: 'required' });
      return undefined;
    }
    const value = toMinorUnits(text, form.currency);
    if (value === undefined) issues.push({ path, message: `an amount in ${form.currency} like 20.00` });
    return value;
  };
  const percent = (path: string, text: string): number => {
    const value = toBasisPoints(text);
    if (value === undefined) issues.push({ path, message: 'a percentage like 12.5' });
    return value ?? 0;
  };
  const integer = (path: string, text: string): number => {
    if (!/^-?\d+$/.test(text.trim())) issues.push({ path, message: 'a whole number' });
    return Number(text);
  };
  const optionalMoney = (key: string, path: string, text: string) => {
    const value = money(path, text, false);
    return value === undefined ? {} : { [key]: value };
  };
  let effect: Effect;
  switch (form.effectType) {
    case 'amount_off':
      effect = { type: 'amount_off', amountOff: money('effect.amountOff', form.amount, true) ?? 0, ...optionalMoney('minSpend', 'effect.minSpend', form.minimum) };
      break;
    case 'percent_off':
      effect = { type: 'percent_off', percentOffBps: percent('effect.percentOffBps', form.percent), ...optionalMoney('maxDiscount', 'effect.maxDiscount', form.cap), ...optionalMoney('minSpend', 'effect.minSpend', form.minimum) };
      break;
    case 'payout_amount':
      effect = { type: 'payout_amount', bonus: money('effect.bonus', form.amount, true) ?? 0, ...optionalMoney('minPayout', 'effect.minPayout', form.minimum) };
      break;
    case 'payout_percent':
      effect = { type: 'payout_percent', bonusBps: percent('effect.bonusBps', form.percent), ...optionalMoney('maxBonus', 'effect.maxBonus', form.cap), ...optionalMoney('minPayout', 'effect.minPayout', form.minimum) };
      break;
  }
  const ids = (products: string, categories: string, merchants: string) => {
    const lists = { productIds: list(products), categoryIds: list(categories), merchantIds: list(merchants) };
    const present = Object.fromEntries(Object.entries(lists).filter(([, values]) => values.length > 0));
    return Object.keys(present).length ? present : undefined;
  };
  const include = ids(form.includeProducts, form.includeCategories, form.includeMerchants);
  const exclude = ids(form.excludeProducts, form.excludeCategories, form.excludeMerchants);
  const allOfTags = list(form.allOfTags);
  const anyOfTags = list(form.anyOfTags);
  const body: CreateTemplateBody = {
    name: form.name,
    ...(form.description ? { description: form.description } : {}),
    currency: form.currency,
    effect,
    validity: form.validityType === 'relative' ? { type: 'relative', days: integer('validity.days', form.days) } : { type: 'fixed', from: isoOf(form.validFrom), until: isoOf(form.validUntil) },
    ...(form.claimFrom || form.claimUntil ? { claimWindow: { ...(form.claimFrom ? { from: isoOf(form.claimFrom) } : {}), ...(form.claimUntil ? { until: isoOf(form.claimUntil) } : {}) } } : {}),
    stock: { total: integer('stock.total', form.stockTotal), ...(form.stockShards ? { shards: integer('stock.shards', form.stockShards) } : {}) },
    perUserLimit: integer('perUserLimit', form.perUserLimit),
    scope: { ...(include ? { include } : {}), ...(exclude ? { exclude } : {}) },
    stacking: form.stackingType === 'exclusive' ? { type: 'exclusive' } : { type: 'group', group: form.stackingGroup },
    ...(allOfTags.length || anyOfTags.length ? { audience: { ...(allOfTags.length ? { allOfTags } : {}), ...(anyOfTags.length ? { anyOfTags } : {}) } } : {}),
    ...(form.reminders.trim() ? { reminders: list(form.reminders) } : {}),
    claimable: form.claimable,
    returnOnRefund: form.returnOnRefund,
  };
  return { body, issues };
}

/** The fields a template keeps editable once it has left the draft state (the API says the same: DRAFT_ONLY_FIELDS). */
export const EDITABLE_AFTER_DRAFT = ['name', 'description', 'claimWindow', 'perUserLimit', 'audience', 'reminders'] as const;

export function TemplateForm(props: {
  initial: FormState;
  /** Fields shaping issued coupons are locked once the template is no longer a draft. */
  draftOnlyLocked?: boolean;
  /** Stock is added through its own action after creation. */
  withStock: boolean;
  submitLabel: string;
  onSubmit: (form: FormState, built: Built) => Promise<void>;
}) {
  const [form, setForm] = useState<FormState>(props.initial);
  const [problem, setProblem] = useState<unknown>(undefined);
  const [saving, setSaving] = useState(false);
  const set = <K extends keyof FormState>(key: K) => (event: Event) => {
    const target = event.currentTarget as HTMLInputElement;
    setForm((current) => ({ ...current, [key]: target.type === 'checkbox' ? target.checked : target.value }));
  };
  // Percentages travel as basis points; say so where the API's message names their limit.
  const issuesAt = (path: string) => (problem instanceof ApiProblem ? problem.issuesAt(path).map((message) => (path.endsWith('Bps') ? `${message} (basis points: 100 % is 10000)` : message)) : []);
  const locked = props.draftOnlyLocked ?? false;
  const isPercent = form.effectType === 'percent_off' || form.effectType === 'payout_percent';
  const isPayout = form.effectType === 'payout_amount' || form.effectType === 'payout_percent';
  const amountPath = form.effectType === 'payout_amount' ? 'effect.bonus' : 'effect.amountOff';
  const percentPath = form.effectType === 'payout_percent' ? 'effect.bonusBps' : 'effect.percentOffBps';

  const submit = async (event: Event) => {
    event.preventDefault();
    const built = buildBody(form);
    if (built.issues.length) {
      setProblem(new ApiProblem(400, 'VALIDATION_FAILED', `${built.issues.length} field(s) cannot be read`, built.issues));
      return;
    }
    setSaving(true);
    setProblem(undefined);
    try {
      await props.onSubmit(form, built);
    } catch (caught) {
      setProblem(caught);
    } finally {
      setSaving(false);
    }
  };

  const text = (key: keyof FormState, label: string, path: string, options: { hint?: string; type?: 'text' | 'number' | 'datetime-local'; disabled?: boolean; required?: boolean } = {}) => (
    <Field label={label} hint={options.hint} issues={issuesAt(path)}>
      {(id, describedBy) => (
        <input
          id={id}
          name={key}
          {...({ type: options.type ?? 'text' } as { type: 'text' })}
          value={form[key] as string}
          onInput={set(key)}
          aria-describedby={describedBy}
          aria-invalid={issuesAt(path).length > 0}
          disabled={options.disabled}
          required={options.required}
        />
      )}
    </Field>
  );

  return (
    <form class="template-form" onSubmit={submit} noValidate>
      <ErrorNote error={problem} />
      <fieldset>
        <legend>Basics</legend>
        {text('name', 'Name', 'name', { required: true })}
        {text('description', 'Description', 'description')}
        <Field label="Currency" issues={issuesAt('currency')} hint="ISO 4217, e.g. EUR">
          {(id, describedBy) => <input id={id} name="currency" value={form.currency} onInput={set('currency')} aria-describedby={describedBy} disabled={locked} maxLength={3} />}
        </Field>
      </fieldset>
      <fieldset disabled={locked}>
        <legend>Effect</legend>
        <Field label="Type" issues={issuesAt('effect.type')}>
          {(id) => (
            <select id={id} name="effectType" value={form.effectType} onChange={set('effectType')}>
              <option value="amount_off">Amount off</option>
              <option value="percent_off">Percent off</option>
              <option value="payout_amount">Payout bonus (amount)</option>
              <option value="payout_percent">Payout bonus (percent)</option>
            </select>
          )}
        </Field>
        {isPercent
          ? text('percent', form.effectType === 'percent_off' ? 'Percent off' : 'Bonus percent', percentPath, { hint: 'e.g. 12.5 for 12.5 %' })
          : text('amount', form.effectType === 'amount_off' ? `Amount off (${form.currency})` : `Bonus (${form.currency})`, amountPath, { hint: 'e.g. 20.00' })}
        {isPercent ? text('cap', `Largest ${isPayout ? 'bonus' : 'discount'} (${form.currency}, optional)`, isPayout ? 'effect.maxBonus' : 'effect.maxDiscount') : null}
        {text('minimum', `${isPayout ? 'Minimum payout' : 'Minimum spend'} (${form.currency}, optional)`, isPayout ? 'effect.minPayout' : 'effect.minSpend')}
      </fieldset>
      <fieldset>
        <legend>When</legend>
        <Field label="Validity" issues={issuesAt('validity.type')}>
          {(id) => (
            <select id={id} name="validityType" value={form.validityType} onChange={set('validityType')} disabled={locked}>
              <option value="relative">Days from issue</option>
              <option value="fixed">Fixed dates</option>
            </select>
          )}
        </Field>
        {form.validityType === 'relative'
          ? text('days', 'Valid for days', 'validity.days', { type: 'number', disabled: locked })
          : [text('validFrom', 'Valid from', 'validity.from', { type: 'datetime-local', disabled: locked }), text('validUntil', 'Valid until', 'validity.until', { type: 'datetime-local', disabled: locked })]}
        {text('claimFrom', 'Claims open (optional)', 'claimWindow.from', { type: 'datetime-local' })}
        {text('claimUntil', 'Claims close (optional)', 'claimWindow.until', { type: 'datetime-local' })}
        {text('reminders', 'Reminders before expiry (optional)', 'reminders', { hint: 'ISO 8601 durations, e.g. P3D, PT12H; empty: the platform default' })}
      </fieldset>
      <fieldset>
        <legend>Stock and limits</legend>
        {props.withStock ? [text('stockTotal', 'Stock', 'stock.total', { type: 'number' }), text('stockShards', 'Stock shards (optional)', 'stock.shards', { type: 'number', hint: 'more shards take more claims a second' })] : null}
        {text('perUserLimit', 'Coupons per user', 'perUserLimit', { type: 'number' })}
        <div class="checks">
          <label>
            <input type="checkbox" name="claimable" checked={form.claimable} onChange={set('claimable')} disabled={locked} /> Users may claim it
          </label>
          <label>
            <input type="checkbox" name="returnOnRefund" checked={form.returnOnRefund} onChange={set('returnOnRefund')} disabled={locked} /> Returned to the user on refund
          </label>
        </div>
      </fieldset>
      <fieldset disabled={locked}>
        <legend>Scope (ids separated by commas)</legend>
        {text('includeProducts', 'Only products', 'scope.include.productIds')}
        {text('includeCategories', 'Only categories', 'scope.include.categoryIds')}
        {text('includeMerchants', 'Only merchants', 'scope.include.merchantIds')}
        {text('excludeProducts', 'Not products', 'scope.exclude.productIds')}
        {text('excludeCategories', 'Not categories', 'scope.exclude.categoryIds')}
        {text('excludeMerchants', 'Not merchants', 'scope.exclude.merchantIds')}
      </fieldset>
      <fieldset>
        <legend>Stacking and audience</legend>
        <Field label="Stacking" issues={issuesAt('stacking')}>
          {(id) => (
            <select id={id} name="stackingType" value={form.stackingType} onChange={set('stackingType')} disabled={locked}>
              <option value="group">Stacks with other groups</option>
              <option value="exclusive">Exclusive (alone on an order)</option>
            </select>
          )}
        </Field>
        {form.stackingType === 'group' ? text('stackingGroup', 'Stacking group', 'stacking.group', { disabled: locked }) : null}
        {text('allOfTags', 'Users with all of these tags', 'audience.allOfTags')}
        {text('anyOfTags', 'Users with any of these tags', 'audience.anyOfTags')}
      </fieldset>
      <SavingPreview form={form} />
      <button type="submit" disabled={saving}>
        {saving ? 'Saving…' : props.submitLabel}
      </button>
    </form>
  );
}

/** What the coupon would save on an example cart, computed by the platform's own pricing engine (lib/pricing). */
function SavingPreview({ form }: { form: FormState }) {
  const [lines, setLines] = useState([
    { productId: 'sku-1', categoryId: 'shoes', merchantId: 'shop', price: '60.00', quantity: 1 },
    { productId: 'sku-2', categoryId: 'shirts', merchantId: 'shop', price: '25.00', quantity: 2 },
  ]);
  const result = useMemo(() => {
    const built = buildBody(form);
    const cartLines = lines.map((line) => ({ productId: line.productId, categoryId: line.categoryId, merchantId: line.merchantId, unitPrice: toMinorUnits(line.price, form.currency) ?? -1, quantity: line.quantity }));
    if (built.issues.length || cartLines.some((line) => line.unitPrice < 0) || !/^[A-Z]{3}$/.test(form.currency)) return undefined;
    try {
      const now = Date.now();
      const answer = quote(
        { kind: form.effectType.startsWith('payout') ? 'payout' : 'purchase', currency: form.currency, lines: cartLines },
        [{ id: 'preview', currency: form.currency, effect: built.body.effect, scope: built.body.scope ?? {}, stacking: built.body.stacking ?? { type: 'group', group: 'default' }, validFrom: new Date(now - 1_000).toISOString(), validUntil: new Date(now + 86_400_000).toISOString(), status: 'available' }],
        { nowMs: now, blockedProductIds: new Set(), maxCouponsPerOrder: 5 },
      );
      return { subtotal: answer.subtotal, saving: answer.best.saving, total: answer.best.totals.total, reasons: answer.verdicts[0]?.reasons.map((reason) => reason.code) ?? [] };
    } catch {
      return undefined;
    }
  }, [form, lines]);
  return (
    <section class="preview" aria-labelledby="preview-title" aria-live="polite">
      <h3 id="preview-title">Saving on an example cart</h3>
      <table>
        <thead>
          <tr>
            <th scope="col">Product</th>
            <th scope="col">Category</th>
            <th scope="col">Unit price ({form.currency})</th>
            <th scope="col">Quantity</th>
          </tr>
        </thead>
        <tbody>
          {lines.map((line, i) => (
            <tr key={i}>
              <td>{line.productId}</td>
              <td>{line.categoryId}</td>
              <td>
                <input
                  aria-label={`Unit price of ${line.productId}`}
                  value={line.price}
                  onInput={(event) => {
                    const price = (event.currentTarget as HTMLInputElement).value;
                    setLines((current) => current.map((other, j) => (j === i ? { ...other, price } : other)));
                  }}
                />
              </td>
              <td>{line.quantity}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {result ? (
        <p data-testid="preview-result">
          {result.reasons.length
            ? `Does not apply: ${result.reasons.join(', ')}`
            : `${form.effectType.startsWith('payout') ? 'Bonus' : 'Saving'} ${formatMoney(result.saving, form.currency)} on ${formatMoney(result.subtotal, form.currency)}`}
        </p>
      ) : (
        <p>Fill in the effect to see the saving.</p>
      )}
    </section>
  );
}
