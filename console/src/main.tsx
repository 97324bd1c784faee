import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { type Api, SIGNED_OUT_EVENT, apiClient, messageOf } from './api';
import { CampaignPage, CampaignsPage, NewCampaignPage } from './pages/campaigns';
import { CodeBatchPage, CodesPage, NewCodeBatchPage } from './pages/codes';
import { NumbersPage } from './pages/numbers';
import { SupportPage } from './pages/support';
import { NewTemplatePage, TemplatePage, TemplatesPage } from './pages/templates';
import { useRoute } from './router';
import { ADMIN_SCOPE, type ConsoleConfig, type Session, currentSession, developmentSignIn, loadConfig, signInWithProvider, signOut } from './session';
import { Field, Loading } from './ui';
import './styles.css';

const SECTIONS = [
  { path: 'templates', label: 'Templates' },
  { path: 'numbers', label: 'Numbers' },
  { path: 'campaigns', label: 'Campaigns' },
  { path: 'codes', label: 'Code batches' },
  { path: 'support', label: 'Support' },
] as const;

function App() {
  const [config, setConfig] = useState<ConsoleConfig | undefined>(undefined);
  const [session, setSession] = useState<Session | undefined>(undefined);
  const [problem, setProblem] = useState<string>('');
  const [ready, setReady] = useState(false);
  useEffect(() => {
    void (async () => {
      try {
        const loaded = await loadConfig();
        setConfig(loaded);
        setSession(await currentSession(loaded));
      } catch (error) {
        setProblem(messageOf(error));
      } finally {
        setReady(true);
      }
    })();
  }, []);
  useEffect(() => {
    if (!config) return undefined;
    const expired = () => void signOut(config).then(() => setSession(undefined));
    window.addEventListener(SIGNED_OUT_EVENT, expired);
    return () => window.removeEventListener(SIGNED_OUT_EVENT, expired);
  }, [config]);
  if (!ready) return <Loading />;
  if (!config) return <p role="alert">The console cannot start: {problem}</p>;
  if (!session) return <SignIn config={config} onSignedIn={setSession} />;
  return (
    <Shell
      config={config}
      session={session}
      onSignOut={async () => {
        await signOut(config);
        setSession(undefined);
      }}
    />
  );
}

function SignIn({ config, onSignedIn }: { config: ConsoleConfig; onSignedIn: (session: Session) => void }) {
  const [subject, setSubject] = useState('backoffice-dev');
  const [admin, setAdmin] = useState(true);
  const [problem, setProblem] = useState('');
  const submit = async (event: Event) => {
    event.preventDefault();
    setProblem('');
    try {
      if (config.signIn.type === 'oidc') await signInWithProvider(config);
      else onSignedIn(await developmentSignIn(subject, admin ? [ADMIN_SCOPE] : []));
    } catch (error) {
      setProblem(messageOf(error));
    }
  };
  return (
    <main class="sign-in">
      <h1>Coupons back office</h1>
      <form onSubmit={submit} class="stacked">
        {config.signIn.type === 'development' ? (
          <>
            <p class="hint">Local stack: a development sign-in. On AWS this page sends you to your identity provider.</p>
            <Field label="User">{(id) => <input id={id} value={subject} onInput={(event) => setSubject((event.currentTarget as HTMLInputElement).value)} />}</Field>
            <label>
              <input type="checkbox" checked={admin} onChange={(event) => setAdmin((event.currentTarget as HTMLInputElement).checked)} /> Back-office scope ({ADMIN_SCOPE})
            </label>
          </>
        ) : null}
        {problem ? <p role="alert" class="error">{problem}</p> : null}
        <button type="submit">Sign in</button>
      </form>
    </main>
  );
}

function Shell({ config, session, onSignOut }: { config: ConsoleConfig; session: Session; onSignOut: () => Promise<void> }) {
  // An empty apiUrl (the local stack): the API is on the console's own origin.
  const api: Api = apiClient(config.apiUrl || window.location.origin, session.token);
  const route = useRoute();
  const isAdmin = session.scopes.includes(ADMIN_SCOPE);
  const [section = 'templates', first, second] = route;
  useEffect(() => {
    // A new page: focus its heading (screen readers announce it; Tab continues from there).
    const heading = document.querySelector('main h1');
    if (heading instanceof HTMLElement) {
      heading.tabIndex = -1;
      heading.focus();
    }
  }, [route.join('/')]);
  let page;
  if (!isAdmin) {
    page = (
      <section>
        <h1 tabIndex={-1}>No back-office access</h1>
        <p>
          You are signed in as {session.subject}, without the {ADMIN_SCOPE} scope. Ask your administrator for it.
        </p>
      </section>
    );
  } else if (section === 'templates') {
    page = first === 'new' ? <NewTemplatePage api={api} /> : first ? <TemplatePage api={api} templateId={first} canEdit={isAdmin} key={first} /> : <TemplatesPage api={api} canEdit={isAdmin} />;
  } else if (section === 'numbers') {
    page = first ? <NumbersPage api={api} templateId={first} key={first} /> : <TemplatesPage api={api} canEdit={false} />;
  } else if (section === 'campaigns') {
    page = first === 'new' ? <NewCampaignPage api={api} templateId={second} /> : first ? <CampaignPage api={api} campaignId={first} key={first} /> : <CampaignsPage api={api} />;
  } else if (section === 'codes') {
    page = first === 'new' ? <NewCodeBatchPage api={api} templateId={second} /> : first ? <CodeBatchPage api={api} batchId={first} key={first} /> : <CodesPage />;
  } else if (section === 'support') {
    page = <SupportPage api={api} />;
  } else {
    page = <p>Nothing here. Choose a section above.</p>;
  }
  return (
    <>
      <a class="skip" href="#main" onClick={(event) => { event.preventDefault(); document.getElementById('main')?.focus(); }}>
        Skip to content
      </a>
      <header class="top">
        <strong>Coupons back office</strong>
        <nav aria-label="Sections">
          <ul>
            {SECTIONS.map((entry) => (
              <li key={entry.path}>
                <a href={`#/${entry.path}`} aria-current={section === entry.path ? 'page' : undefined}>
                  {entry.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <span class="who">
          {session.subject}{' '}
          <button type="button" class="secondary" onClick={() => void onSignOut()}>
            Sign out
          </button>
        </span>
      </header>
      <main id="main" tabIndex={-1}>
        {page}
      </main>
    </>
  );
}

render(<App />, document.getElementById('app')!);
