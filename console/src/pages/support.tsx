import { useEffect, useState } from 'preact/hooks';
import { type Api, ApiProblem, unwrap } from '../api';
import { ErrorNote, Field, Loading, useAction, useLoad } from '../ui';
import { effectSummary } from './templates';

const list = (text: string) => text.split(/[\s,]+/).filter(Boolean);

export function SupportPage({ api }: { api: Api }) {
  return (
    <section aria-labelledby="support-title">
      <h1 id="support-title">Support</h1>
      <UserLookup api={api} />
      <Blocklist api={api} />
    </section>
  );
}

function Blocklist({ api }: { api: Api }) {
  const blocklist = useLoad(() => unwrap(api.GET('/v1/admin/blocklist')), []);
  const [text, setText] = useState('');
  const [notice, setNotice] = useState('');
  const action = useAction();
  useEffect(() => {
    if (blocklist.value) setText(blocklist.value.productIds.join('\n'));
  }, [blocklist.value]);
  const save = (event: Event) => {
    event.preventDefault();
    void action.run(async () => {
      const saved = await unwrap(api.PUT('/v1/admin/blocklist', { body: { productIds: list(text) } }));
      setNotice(`Saved: ${saved.productIds.length} products blocked.`);
    });
  };
  return (
    <section aria-labelledby="blocklist-title">
      <h2 id="blocklist-title">Global block list</h2>
      <p class="hint">No coupon ever applies to these products.</p>
      <ErrorNote error={blocklist.error ?? action.error} />
      {blocklist.value === undefined ? (
        <Loading />
      ) : (
        <form class="stacked" onSubmit={save}>
          <Field label="Blocked product ids (one per line)" issues={action.error instanceof ApiProblem ? action.error.issuesAt('productIds') : []}>
            {(id, describedBy) => <textarea id={id} rows={6} value={text} aria-describedby={describedBy} onInput={(event) => setText((event.currentTarget as HTMLTextAreaElement).value)} />}
          </Field>
          <p role="status">{notice}</p>
          <button type="submit" disabled={action.pending}>
            Save block list
          </button>
        </form>
      )}
    </section>
  );
}

function UserLookup({ api }: { api: Api }) {
  const [userId, setUserId] = useState('');
  const [shown, setShown] = useState('');
  return (
    <section aria-labelledby="user-title">
      <h2 id="user-title">A user's wallet and tags</h2>
      <form
        class="inline-form"
        role="search"
        onSubmit={(event) => {
          event.preventDefault();
          setShown(userId.trim());
        }}
      >
        <Field label="User id">
          {(id) => <input id={id} value={userId} onInput={(event) => setUserId((event.currentTarget as HTMLInputElement).value)} />}
        </Field>
        <button type="submit">Look up</button>
      </form>
      {shown ? <UserView api={api} userId={shown} key={shown} /> : null}
    </section>
  );
}

function UserView({ api, userId }: { api: Api; userId: string }) {
  const path = { params: { path: { userId } } };
  const data = useLoad(async () => {
    const [tags, coupons] = await Promise.all([unwrap(api.GET('/v1/admin/users/{userId}/tags', path)), unwrap(api.GET('/v1/admin/users/{userId}/coupons', { params: { path: { userId }, query: { limit: 100 } } }))]);
    return { tags, coupons };
  }, [userId]);
  const [tagText, setTagText] = useState<string | undefined>(undefined);
  const action = useAction();
  if (!data.value) return data.error ? <ErrorNote error={data.error} /> : <Loading />;
  const { tags, coupons } = data.value;
  return (
    <div data-testid="user-view">
      <form
        class="inline-form"
        onSubmit={(event) => {
          event.preventDefault();
          void action.run(async () => {
            await unwrap(api.PUT('/v1/admin/users/{userId}/tags', { ...path, body: { tags: list(tagText ?? '') } }));
            setTagText(undefined);
            await data.reload();
          });
        }}
      >
        <Field label={`Tags of ${userId}`} hint="separated by commas" issues={action.error instanceof ApiProblem ? action.error.issuesAt('tags') : []}>
          {(id, describedBy) => <input id={id} value={tagText ?? tags.tags.join(', ')} aria-describedby={describedBy} onInput={(event) => setTagText((event.currentTarget as HTMLInputElement).value)} />}
        </Field>
        <button type="submit" disabled={action.pending}>
          Save tags
        </button>
      </form>
      <ErrorNote error={action.error} />
      <table class="list">
        <caption>Wallet ({coupons.items.length}{coupons.nextCursor ? '+' : ''} coupons, newest first)</caption>
        <thead>
          <tr>
            <th scope="col">Coupon</th>
            <th scope="col">Status</th>
            <th scope="col">Effect</th>
            <th scope="col">Valid until</th>
            <th scope="col">Template</th>
            <th scope="col">Source</th>
          </tr>
        </thead>
        <tbody>
          {coupons.items.map((coupon) => (
            <tr key={coupon.id}>
              <td>
                <code>{coupon.id}</code>
              </td>
              <td>{coupon.status}</td>
              <td>{effectSummary({ effect: coupon.effect, currency: coupon.currency })}</td>
              <td>{coupon.validUntil.slice(0, 10)}</td>
              <td>
                <a href={`#/templates/${coupon.templateId}`}>{coupon.name}</a>
              </td>
              <td>{coupon.source}</td>
            </tr>
          ))}
          {coupons.items.length === 0 ? (
            <tr>
              <td colSpan={6}>No coupons.</td>
            </tr>
          ) : null}
        </tbody>
      </table>
    </div>
  );
}
