import { useState } from 'preact/hooks';
import { type Api, ApiProblem, unwrap } from '../api';
import { navigate } from '../router';
import { DetailHeader, ErrorNote, Field, Loading, Progress, useAction, useLoad } from '../ui';
import { TemplatePicker } from './templates';

export function CodesPage() {
  const [batchId, setBatchId] = useState('');
  return (
    <section aria-labelledby="codes-title">
      <header class="page-header">
        <h1 id="codes-title">Code batches</h1>
        <a class="button" href="#/codes/new">
          New batch
        </a>
      </header>
      <p class="hint">A template's batches are listed on its Numbers page.</p>
      <form
        class="inline-form"
        onSubmit={(event) => {
          event.preventDefault();
          if (batchId.trim()) navigate(`/codes/${encodeURIComponent(batchId.trim())}`);
        }}
      >
        <Field label="Batch id">
          {(id) => <input id={id} value={batchId} onInput={(event) => setBatchId((event.currentTarget as HTMLInputElement).value)} />}
        </Field>
        <button type="submit">Open</button>
      </form>
    </section>
  );
}

const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 16);

export function NewCodeBatchPage({ api, templateId }: { api: Api; templateId?: string }) {
  const [chosen, setChosen] = useState(templateId ?? '');
  const [kind, setKind] = useState<'unique' | 'shared'>('unique');
  const [batchId, setBatchId] = useState(() => `batch-${Math.random().toString(36).slice(2, 8)}`);
  const [count, setCount] = useState('1000');
  const [pattern, setPattern] = useState('');
  const [code, setCode] = useState('');
  const [maxRedemptions, setMaxRedemptions] = useState('100');
  const [validUntil, setValidUntil] = useState(inDays(90));
  const action = useAction();
  const issuesAt = (path: string) => (action.error instanceof ApiProblem ? action.error.issuesAt(path) : []);
  const submit = (event: Event) => {
    event.preventDefault();
    void action.run(async () => {
      const until = new Date(validUntil).toISOString();
      const body =
        kind === 'unique'
          ? { batchId, kind, count: Number(count), ...(pattern ? { pattern } : {}), validUntil: until }
          : { batchId, kind, code, maxRedemptions: Number(maxRedemptions), validUntil: until };
      const batch = await unwrap(api.POST('/v1/admin/templates/{templateId}/code-batches', { params: { path: { templateId: chosen } }, body }));
      navigate(`/codes/${encodeURIComponent(batch.batchId)}`);
    });
  };
  return (
    <section aria-labelledby="new-batch-title">
      <h1 id="new-batch-title">New code batch</h1>
      <form class="stacked" onSubmit={submit}>
        <ErrorNote error={action.error} />
        <TemplatePicker api={api} value={chosen} onChange={setChosen} issues={issuesAt('templateId')} />
        <Field label="Batch id" issues={issuesAt('batchId')}>
          {(id) => <input id={id} value={batchId} onInput={(event) => setBatchId((event.currentTarget as HTMLInputElement).value)} />}
        </Field>
        <Field label="Kind">
          {(id) => (
            <select id={id} value={kind} onChange={(event) => setKind((event.currentTarget as HTMLSelectElement).value as 'unique' | 'shared')}>
              <option value="unique">Unique codes (one use each)</option>
              <option value="shared">One shared code</option>
            </select>
          )}
        </Field>
        {kind === 'unique' ? (
          <>
            <Field label="How many codes" issues={issuesAt('count')}>
              {(id) => <input id={id} type="number" min={1} value={count} onInput={(event) => setCount((event.currentTarget as HTMLInputElement).value)} />}
            </Field>
            <Field label="Pattern (optional)" hint="# is a random character, e.g. SPRING-####-####" issues={issuesAt('pattern')}>
              {(id, describedBy) => <input id={id} value={pattern} aria-describedby={describedBy} onInput={(event) => setPattern((event.currentTarget as HTMLInputElement).value)} />}
            </Field>
          </>
        ) : (
          <>
            <Field label="Code" issues={issuesAt('code')}>
              {(id) => <input id={id} value={code} onInput={(event) => setCode((event.currentTarget as HTMLInputElement).value)} />}
            </Field>
            <Field label="Most redemptions" issues={issuesAt('maxRedemptions')}>
              {(id) => <input id={id} type="number" min={1} value={maxRedemptions} onInput={(event) => setMaxRedemptions((event.currentTarget as HTMLInputElement).value)} />}
            </Field>
          </>
        )}
        <Field label="Valid until" issues={issuesAt('validUntil')}>
          {(id) => <input id={id} type="datetime-local" value={validUntil} onInput={(event) => setValidUntil((event.currentTarget as HTMLInputElement).value)} />}
        </Field>
        <button type="submit" disabled={action.pending || !chosen}>
          Create batch
        </button>
      </form>
    </section>
  );
}

export function CodeBatchPage({ api, batchId }: { api: Api; batchId: string }) {
  const path = { params: { path: { batchId } } };
  const batch = useLoad(() => unwrap(api.GET('/v1/admin/code-batches/{batchId}', path)), [batchId], (value) => (value?.status === 'generating' ? 1_000 : undefined));
  const action = useAction();
  const [download, setDownload] = useState<{ url: string; expiresAt: string } | undefined>(undefined);
  const b = batch.value;
  if (!b) return batch.error ? <ErrorNote error={batch.error} /> : <Loading />;
  const exportCodes = () =>
    action.run(async () => {
      const link = await unwrap(api.POST('/v1/admin/code-batches/{batchId}/exports', path));
      setDownload(link);
      await batch.reload();
    });
  const revoke = () =>
    action.run(async () => {
      if (!window.confirm(`Revoke every unredeemed code of ${batchId}? Their stock goes back to the template.`)) return;
      await unwrap(api.POST('/v1/admin/code-batches/{batchId}/revoke', path));
      await batch.reload();
    });
  return (
    <section aria-labelledby="batch-title">
      <DetailHeader titleId="batch-title" title={`Code batch ${b.batchId}`} status={b.status} statusTestId="batch-status" error={action.error} />
      <p>
        Template <a href={`#/templates/${b.templateId}`}>{b.templateId}</a>, {b.kind} codes{b.pattern ? ` like ${b.pattern}` : ''}, valid until {b.validUntil.slice(0, 10)}
      </p>
      <Progress label="Generated" value={b.counts.generated} max={b.counts.codes} />
      <dl class="facts">
        <dt>Redeemed</dt>
        <dd>{b.counts.redeemed}</dd>
        <dt>Revoked</dt>
        <dd>{b.counts.revoked}</dd>
        <dt>Exports</dt>
        <dd>{b.counts.exported}</dd>
        <dt>Failed attempts</dt>
        <dd>{b.counts.failedAttempts}</dd>
      </dl>
      <div class="actions">
        {b.kind === 'unique' ? (
          <button type="button" onClick={() => void exportCodes()} disabled={action.pending || b.status !== 'ready'}>
            Export codes
          </button>
        ) : null}
        {b.status !== 'revoked' ? (
          <button type="button" class="danger" onClick={() => void revoke()} disabled={action.pending}>
            Revoke batch
          </button>
        ) : null}
      </div>
      {download ? (
        <p role="status">
          <a href={download.url} download={`${b.batchId}.csv`} data-testid="export-link">
            Download {b.batchId}.csv
          </a>{' '}
          (the link works until {download.expiresAt.slice(11, 16)} UTC; every export is recorded)
        </p>
      ) : null}
    </section>
  );
}
