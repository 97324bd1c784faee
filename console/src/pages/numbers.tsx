import { type Api, unwrap } from '../api';
import { BarChart, ErrorNote, Loading, useLoad } from '../ui';

/** A template's numbers: its statistics (from the stream), its stock ledger, and its campaigns and code batches as the ledger counts them. */
export function NumbersPage({ api, templateId }: { api: Api; templateId: string }) {
  const path = { params: { path: { templateId } } };
  const numbers = useLoad(
    async () => {
      const [template, stats, ledger] = await Promise.all([
        unwrap(api.GET('/v1/admin/templates/{templateId}', path)),
        unwrap(api.GET('/v1/admin/templates/{templateId}/stats', path)),
        unwrap(api.GET('/v1/admin/templates/{templateId}/ledger', path)),
      ]);
      return { template, stats, ledger };
    },
    [templateId],
    5_000,
  );
  const n = numbers.value;
  if (!n) return numbers.error ? <ErrorNote error={numbers.error} /> : <Loading />;
  const c = n.stats.counters;
  return (
    <section aria-labelledby="numbers-title">
      <header class="page-header">
        <h1 id="numbers-title">Numbers: {n.template.name}</h1>
        <a class="button secondary" href={`#/templates/${templateId}`}>
          Template
        </a>
      </header>
      <p class="hint">Refreshed every 5 seconds; statistics follow the table's stream within seconds.</p>
      <div class="grid">
        <BarChart
          title="Coupons now"
          bars={[
            { label: 'available', value: c.available },
            { label: 'locked', value: c.locked },
            { label: 'used', value: c.used },
            { label: 'expired', value: c.expired },
          ]}
        />
        <BarChart
          title="Since the start"
          bars={[
            { label: 'issued', value: c.issued },
            { label: 'locked', value: c.lockedTotal },
            { label: 'used', value: c.usedTotal },
            { label: 'released', value: c.releasedTotal },
            { label: 'returned', value: c.returnedTotal },
            { label: 'reminded', value: c.remindersSent },
          ]}
        />
      </div>
      <dl class="facts" data-testid="stats">
        <dt>Issued</dt>
        <dd data-testid="stats-issued">{c.issued}</dd>
        <dt>Stock left</dt>
        <dd>
          {n.stats.stock.remaining} of {n.stats.stock.total}
        </dd>
      </dl>
      <h2>Stock ledger</h2>
      <p data-testid="ledger-balanced" class={n.ledger.balanced ? 'ok' : 'error'}>
        {n.ledger.balanced ? 'Balanced' : `Not balanced: difference ${n.ledger.difference}`}: added {n.ledger.added} = in shards {n.ledger.inShards} + issued {n.ledger.issued.total} + reserved {n.ledger.reservedOutstanding}
      </p>
      <BarChart
        title="Issued by path"
        bars={[
          { label: 'claims', value: n.ledger.issued.claims },
          { label: 'campaigns', value: n.ledger.issued.campaigns },
          { label: 'codes', value: n.ledger.issued.codes },
          { label: 'carried over', value: n.ledger.issued.carriedOver },
        ]}
      />
      <table class="list">
        <caption>Checks</caption>
        <thead>
          <tr>
            <th scope="col">Check</th>
            <th scope="col">Result</th>
            <th scope="col">Detail</th>
          </tr>
        </thead>
        <tbody>
          {n.ledger.checks.map((check) => (
            <tr key={check.name}>
              <td>{check.name}</td>
              <td>{check.ok ? 'ok' : 'FAILED'}</td>
              <td>{check.detail}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Campaigns ({n.ledger.campaigns.length})</h2>
      <table class="list">
        <thead>
          <tr>
            <th scope="col">Campaign</th>
            <th scope="col">Status</th>
            <th scope="col">Reserved</th>
            <th scope="col">Issued</th>
            <th scope="col">Given back</th>
          </tr>
        </thead>
        <tbody>
          {n.ledger.campaigns.map((campaign) => (
            <tr key={campaign.campaignId}>
              <td>
                <a href={`#/campaigns/${encodeURIComponent(campaign.campaignId)}`}>{campaign.campaignId}</a>
              </td>
              <td>{campaign.status}</td>
              <td>{campaign.reserved}</td>
              <td>{campaign.issued}</td>
              <td>{campaign.givenBack}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Code batches ({n.ledger.codeBatches.length})</h2>
      <table class="list">
        <thead>
          <tr>
            <th scope="col">Batch</th>
            <th scope="col">Reserved</th>
            <th scope="col">Redeemed</th>
            <th scope="col">Outstanding</th>
          </tr>
        </thead>
        <tbody>
          {n.ledger.codeBatches.map((batch) => (
            <tr key={batch.batchId}>
              <td>
                <a href={`#/codes/${encodeURIComponent(batch.batchId)}`}>{batch.batchId}</a>
              </td>
              <td>{batch.reserved}</td>
              <td>{batch.redeemed}</td>
              <td>{batch.outstanding}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
