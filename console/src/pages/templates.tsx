import { useState } from 'preact/hooks';
import { type Api, unwrap } from '../api';
import { formatMoney } from '../money';
import { navigate } from '../router';
import { DetailHeader, ErrorNote, Field, Loading, useAction, useLoad } from '../ui';
import { EDITABLE_AFTER_DRAFT, TemplateForm, type TemplateView, emptyForm, formOf } from './template-form';

const STATUSES = ['draft', 'active', 'paused', 'ended'] as const;
type Status = (typeof STATUSES)[number];

/** Every template of a status (or all), page after page: back offices hold hundreds, not millions. */
export async function allTemplates(api: Api, status?: Status): Promise<TemplateView[]> {
  const items: TemplateView[] = [];
  let cursor: string | undefined;
  do {
    const page = await unwrap(api.GET('/v1/admin/templates', { params: { query: { limit: 100, ...(status ? { status } : {}), ...(cursor ? { cursor } : {}) } } }));
    items.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor && items.length < 2_000);
  return items;
}

/** A template chooser (campaigns, code batches): every template, with its status. */
export function TemplatePicker({ api, value, onChange, issues }: { api: Api; value: string; onChange: (templateId: string) => void; issues?: readonly string[] }) {
  const templates = useLoad(() => allTemplates(api), []);
  return (
    <Field label="Template" issues={issues}>
      {(id) => (
        <select id={id} value={value} onChange={(event) => onChange((event.currentTarget as HTMLSelectElement).value)}>
          <option value="">Choose…</option>
          {(templates.value ?? []).map((template) => (
            <option key={template.id} value={template.id}>
              {template.name} ({template.status})
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

/** Stock as the API tells it: what was added, and what is left when the answer carries it (one template's view does, a list does not). */
const stockSummary = (template: Pick<TemplateView, 'stock'>): string =>
  `${template.stock.total} added${template.stock.remaining === undefined ? '' : `, ${template.stock.remaining} left`}`;

export function effectSummary(template: Pick<TemplateView, 'effect' | 'currency'>): string {
  const e = template.effect;
  const c = template.currency;
  switch (e.type) {
    case 'amount_off':
      return `${formatMoney(e.amountOff, c)} off${e.minSpend ? ` from ${formatMoney(e.minSpend, c)}` : ''}`;
    case 'percent_off':
      return `${e.percentOffBps / 100} % off${e.maxDiscount ? ` up to ${formatMoney(e.maxDiscount, c)}` : ''}`;
    case 'payout_amount':
      return `${formatMoney(e.bonus, c)} payout bonus`;
    case 'payout_percent':
      return `${e.bonusBps / 100} % payout bonus`;
  }
}

export function TemplatesPage({ api, canEdit }: { api: Api; canEdit: boolean }) {
  const [status, setStatus] = useState<Status | ''>('');
  const [search, setSearch] = useState('');
  const templates = useLoad(() => allTemplates(api, status || undefined), [status]);
  const shown = (templates.value ?? []).filter((template) => template.name.toLowerCase().includes(search.trim().toLowerCase()));
  return (
    <section aria-labelledby="templates-title">
      <header class="page-header">
        <h1 id="templates-title">Templates</h1>
        {canEdit ? (
          <a class="button" href="#/templates/new">
            New template
          </a>
        ) : null}
      </header>
      <div class="filters" role="search">
        <Field label="Status">
          {(id) => (
            <select id={id} value={status} onChange={(event) => setStatus((event.currentTarget as HTMLSelectElement).value as Status | '')}>
              <option value="">All</option>
              {STATUSES.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Search by name">
          {(id) => <input id={id} type="search" value={search} onInput={(event) => setSearch((event.currentTarget as HTMLInputElement).value)} />}
        </Field>
      </div>
      <ErrorNote error={templates.error} />
      {templates.value === undefined ? (
        <Loading />
      ) : (
        <table class="list">
          <caption class="visually-hidden">Templates</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Status</th>
              <th scope="col">Effect</th>
              <th scope="col">Stock</th>
              <th scope="col">Created</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((template) => (
              <tr key={template.id}>
                <td>
                  <a href={`#/templates/${template.id}`}>{template.name}</a>
                </td>
                <td>
                  <span class={`status status-${template.status}`}>{template.status}</span>
                </td>
                <td>{effectSummary(template)}</td>
                <td>{stockSummary(template)}</td>
                <td>{template.createdAt.slice(0, 10)}</td>
              </tr>
            ))}
            {shown.length === 0 ? (
              <tr>
                <td colSpan={5}>No templates match.</td>
              </tr>
            ) : null}
          </tbody>
        </table>
      )}
    </section>
  );
}

export function NewTemplatePage({ api }: { api: Api }) {
  return (
    <section aria-labelledby="new-template-title">
      <h1 id="new-template-title">New template</h1>
      <TemplateForm
        initial={emptyForm}
        withStock
        submitLabel="Create draft"
        onSubmit={async (_form, built) => {
          const created = await unwrap(api.POST('/v1/admin/templates', { body: built.body }));
          navigate(`/templates/${created.id}`);
        }}
      />
    </section>
  );
}

const NEXT_STATUSES: Record<Status, ReadonlyArray<{ status: Status; label: string }>> = {
  draft: [{ status: 'active', label: 'Activate' }],
  active: [
    { status: 'paused', label: 'Pause' },
    { status: 'ended', label: 'Archive' },
  ],
  paused: [
    { status: 'active', label: 'Resume' },
    { status: 'ended', label: 'Archive' },
  ],
  ended: [],
};

export function TemplatePage({ api, templateId, canEdit }: { api: Api; templateId: string; canEdit: boolean }) {
  const template = useLoad(() => unwrap(api.GET('/v1/admin/templates/{templateId}', { params: { path: { templateId } } })), [templateId]);
  const action = useAction();
  const [quantity, setQuantity] = useState('100');
  const [editing, setEditing] = useState(false);
  const [notice, setNotice] = useState('');
  const t = template.value;
  if (!t) return template.error ? <ErrorNote error={template.error} /> : <Loading />;

  const changeStatus = (status: Status) =>
    action.run(async () => {
      await unwrap(api.POST('/v1/admin/templates/{templateId}/status', { params: { path: { templateId } }, body: { status } }));
      await template.reload();
      setNotice(`Status is now ${status}.`);
    });
  const addStock = (event: Event) => {
    event.preventDefault();
    void action.run(async () => {
      const amount = Number(quantity);
      await unwrap(api.POST('/v1/admin/templates/{templateId}/stock', { params: { path: { templateId } }, body: { quantity: amount } }));
      await template.reload();
      setNotice(`Added ${amount} to the stock.`);
    });
  };

  return (
    <section aria-labelledby="template-title">
      <DetailHeader titleId="template-title" title={t.name} status={t.status} statusTestId="template-status" notice={notice} error={action.error} />
      <dl class="facts">
        <dt>Effect</dt>
        <dd>{effectSummary(t)}</dd>
        <dt>Validity</dt>
        <dd>{t.validity.type === 'relative' ? `${t.validity.days} days from issue` : `${t.validity.from} to ${t.validity.until}`}</dd>
        <dt>Stock</dt>
        <dd data-testid="template-stock">
          {stockSummary(t)}, {t.stock.shards} shards
        </dd>
        <dt>Per user</dt>
        <dd>{t.perUserLimit}</dd>
        <dt>Claimable</dt>
        <dd>{t.claimable ? 'yes' : 'no (campaigns and codes only)'}</dd>
        <dt>Id</dt>
        <dd>
          <code>{t.id}</code>
        </dd>
      </dl>
      {canEdit ? (
        <div class="actions">
          {NEXT_STATUSES[t.status].map((next) => (
            <button key={next.status} type="button" disabled={action.pending} onClick={() => void changeStatus(next.status)}>
              {next.label}
            </button>
          ))}
          <button type="button" class="secondary" onClick={() => setEditing(!editing)} aria-expanded={editing}>
            {editing ? 'Close editor' : 'Edit'}
          </button>
          <a class="button secondary" href={`#/numbers/${t.id}`}>
            Numbers
          </a>
          <a class="button secondary" href={`#/campaigns/new/${t.id}`}>
            Campaign
          </a>
          <a class="button secondary" href={`#/codes/new/${t.id}`}>
            Codes
          </a>
        </div>
      ) : null}
      {canEdit && t.status !== 'ended' ? (
        <form class="inline-form" onSubmit={addStock}>
          <Field label="Add stock">
            {(id) => <input id={id} type="number" min={1} value={quantity} onInput={(event) => setQuantity((event.currentTarget as HTMLInputElement).value)} />}
          </Field>
          <button type="submit" disabled={action.pending}>
            Add stock
          </button>
        </form>
      ) : null}
      {editing ? (
        <TemplateForm
          initial={formOf(t)}
          draftOnlyLocked={t.status !== 'draft'}
          withStock={false}
          submitLabel="Save changes"
          onSubmit={async (_form, built) => {
            const fields = t.status === 'draft' ? Object.keys(built.body).filter((key) => key !== 'stock') : EDITABLE_AFTER_DRAFT;
            const body: Record<string, unknown> = Object.fromEntries(Object.entries(built.body).filter(([key]) => (fields as readonly string[]).includes(key)));
            // Emptied in the form: the API clears these with null (reminders back to the platform default).
            if (!('audience' in body) && t.audience) body.audience = null;
            if (!('reminders' in body) && t.reminders) body.reminders = null;
            await unwrap(api.PATCH('/v1/admin/templates/{templateId}', { params: { path: { templateId } }, body: body as never }));
            await template.reload();
            setEditing(false);
            setNotice('Saved.');
          }}
        />
      ) : null}
    </section>
  );
}
