import { useState } from 'preact/hooks';
import { type Api, unwrap } from '../api';
import { navigate } from '../router';
import { DetailHeader, ErrorNote, Field, Loading, Progress, useAction, useLoad } from '../ui';
import { TemplatePicker } from './templates';

const FINISHED = ['completed', 'cancelled', 'failed'];

export function CampaignsPage({ api }: { api: Api }) {
  const campaigns = useLoad(() => unwrap(api.GET('/v1/admin/campaigns', { params: { query: { limit: 50 } } })), [], 5_000);
  return (
    <section aria-labelledby="campaigns-title">
      <header class="page-header">
        <h1 id="campaigns-title">Campaigns</h1>
        <a class="button" href="#/campaigns/new">
          New campaign
        </a>
      </header>
      <ErrorNote error={campaigns.error} />
      {!campaigns.value ? (
        <Loading />
      ) : (
        <table class="list">
          <thead>
            <tr>
              <th scope="col">Campaign</th>
              <th scope="col">Status</th>
              <th scope="col">Users</th>
              <th scope="col">Requested</th>
            </tr>
          </thead>
          <tbody>
            {campaigns.value.items.map((campaign) => (
              <tr key={campaign.campaignId}>
                <td>
                  <a href={`#/campaigns/${encodeURIComponent(campaign.campaignId)}`}>{campaign.campaignId}</a>
                </td>
                <td>
                  <span class={`status status-${campaign.status}`}>{campaign.status}</span>
                </td>
                <td>{campaign.total}</td>
                <td>{campaign.requestedAt.slice(0, 16).replace('T', ' ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** Start a campaign: an audience file goes straight to S3 through a pre-signed link; a pasted list goes inline. */
export function NewCampaignPage({ api, templateId }: { api: Api; templateId?: string }) {
  const [chosen, setChosen] = useState(templateId ?? '');
  const [campaignId, setCampaignId] = useState(() => `campaign-${new Date().toISOString().slice(0, 10)}-${Math.random().toString(36).slice(2, 7)}`);
  const [source, setSource] = useState<'file' | 'pasted'>('file');
  const [file, setFile] = useState<File | undefined>(undefined);
  const [pasted, setPasted] = useState('');
  const [stage, setStage] = useState('');
  const action = useAction();

  const submit = (event: Event) => {
    event.preventDefault();
    void action.run(async () => {
      let audience: { type: 'inline'; userIds: string[] } | { type: 's3'; bucket: string; key: string };
      if (source === 'file') {
        if (!file) throw new Error('Choose a file with one user id per line.');
        setStage('Getting an upload link…');
        const link = await unwrap(api.POST('/v1/admin/campaigns/audience-uploads', { body: { fileName: file.name.replace(/[^A-Za-z0-9._-]/g, '_').slice(-100) } }));
        setStage(`Uploading ${file.name} (${file.size.toLocaleString('en')} bytes)…`);
        const uploaded = await fetch(link.upload.url, { method: 'PUT', headers: link.upload.headers, body: file });
        if (!uploaded.ok) throw new Error(`The upload failed (${uploaded.status}); try again.`);
        audience = link.audience;
      } else {
        audience = { type: 'inline', userIds: pasted.split(/[\s,]+/).filter(Boolean) };
      }
      setStage('Requesting the campaign…');
      const accepted = await unwrap(api.POST('/v1/admin/campaigns', { body: { campaignId, templateId: chosen, audience } }));
      setStage('');
      navigate(`/campaigns/${encodeURIComponent(accepted.campaignId)}`);
    });
  };

  return (
    <section aria-labelledby="new-campaign-title">
      <h1 id="new-campaign-title">New campaign</h1>
      <form onSubmit={submit} class="stacked">
        <ErrorNote error={action.error} />
        <TemplatePicker api={api} value={chosen} onChange={setChosen} />
        <Field label="Campaign id" hint="The same id never issues twice: sending it again answers the existing campaign">
          {(id, describedBy) => <input id={id} value={campaignId} aria-describedby={describedBy} onInput={(event) => setCampaignId((event.currentTarget as HTMLInputElement).value)} />}
        </Field>
        <fieldset>
          <legend>Audience</legend>
          <label>
            <input type="radio" name="source" checked={source === 'file'} onChange={() => setSource('file')} /> Upload a file (one user id per line, up to 100 million)
          </label>
          <label>
            <input type="radio" name="source" checked={source === 'pasted'} onChange={() => setSource('pasted')} /> Paste user ids (up to 10,000)
          </label>
          {source === 'file' ? (
            <Field label="Audience file">
              {(id) => <input id={id} type="file" accept=".txt,.csv,text/plain" onChange={(event) => setFile((event.currentTarget as HTMLInputElement).files?.[0])} />}
            </Field>
          ) : (
            <Field label="User ids">
              {(id) => <textarea id={id} rows={6} value={pasted} onInput={(event) => setPasted((event.currentTarget as HTMLTextAreaElement).value)} />}
            </Field>
          )}
        </fieldset>
        <p role="status">{stage}</p>
        <button type="submit" disabled={action.pending || !chosen}>
          Start campaign
        </button>
      </form>
    </section>
  );
}

export function CampaignPage({ api, campaignId }: { api: Api; campaignId: string }) {
  const path = { params: { path: { campaignId } } };
  const campaign = useLoad(() => unwrap(api.GET('/v1/admin/campaigns/{campaignId}', path)), [campaignId], (value) => (value && FINISHED.includes(value.status) ? undefined : 1_000));
  const action = useAction();
  const [notice, setNotice] = useState('');
  const c = campaign.value;
  if (!c) return campaign.error ? <ErrorNote error={campaign.error} /> : <Loading />;
  const act = (what: 'pause' | 'resume' | 'cancel' | 'retry-failed') =>
    action.run(async () => {
      if (what === 'retry-failed') {
        const retried = await unwrap(api.POST('/v1/admin/campaigns/{campaignId}/retry-failed', path));
        setNotice(`${retried.retried} users sent again.`);
      } else {
        await unwrap(api.POST(`/v1/admin/campaigns/{campaignId}/${what}`, path));
        setNotice(`${what === 'cancel' ? 'Cancelled' : what === 'pause' ? 'Paused' : 'Resumed'}.`);
      }
      await campaign.reload();
    });
  return (
    <section aria-labelledby="campaign-title">
      <DetailHeader titleId="campaign-title" title={`Campaign ${c.campaignId}`} status={c.status} statusTestId="campaign-status" notice={notice} error={action.error} />
      <p>
        Template <a href={`#/templates/${c.templateId}`}>{c.templateId}</a>
        {c.reason ? `; reason: ${c.reason}` : ''}
      </p>
      <Progress label="Processed" value={c.processed} max={c.total} />
      <dl class="facts">
        <dt>Issued</dt>
        <dd data-testid="campaign-issued">{c.issued}</dd>
        <dt>Skipped</dt>
        <dd>
          {c.skipped}{' '}
          {Object.entries(c.skippedByReason)
            .filter(([, count]) => count > 0)
            .map(([reason, count]) => `${reason} ${count}`)
            .join(', ')}
        </dd>
        <dt>Failed</dt>
        <dd>{c.failed}</dd>
        <dt>Stock reserved</dt>
        <dd>
          {c.stock.reserved} (given back {c.stock.givenBack}, outstanding {c.stock.outstanding})
        </dd>
      </dl>
      <div class="actions">
        {c.status === 'running' ? (
          <button type="button" onClick={() => void act('pause')} disabled={action.pending}>
            Pause
          </button>
        ) : null}
        {c.status === 'paused' ? (
          <button type="button" onClick={() => void act('resume')} disabled={action.pending}>
            Resume
          </button>
        ) : null}
        {!FINISHED.includes(c.status) ? (
          <button type="button" class="danger" onClick={() => void act('cancel')} disabled={action.pending}>
            Cancel
          </button>
        ) : null}
        {c.failed > 0 ? (
          <button type="button" onClick={() => void act('retry-failed')} disabled={action.pending}>
            Retry failed users
          </button>
        ) : null}
      </div>
      <h2>History</h2>
      <ol>
        {c.history.map((entry, i) => (
          <li key={i}>
            {entry.at.replace('T', ' ').slice(0, 19)}: {entry.status}
            {entry.reason ? ` (${entry.reason})` : ''}
          </li>
        ))}
      </ol>
    </section>
  );
}
