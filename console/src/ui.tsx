import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiProblem, messageOf } from './api';

/** Data loaded from the API, reloaded on demand or every `pollMs` while the page shows it. */
export function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[], pollMs?: number | ((value: T | undefined) => number | undefined)) {
  const [value, setValue] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const latest = useRef(load);
  latest.current = load;
  const reload = useCallback(async () => {
    try {
      const next = await latest.current();
      setValue(next);
      setError(undefined);
      return next;
    } catch (caught) {
      setError(caught);
      return undefined;
    }
  }, []);
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = async () => {
      const next = await reload();
      const every = typeof pollMs === 'function' ? pollMs(next) : pollMs;
      if (!stopped && every) timer = setTimeout(() => void tick(), every);
    };
    setValue(undefined);
    void tick();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    };
  }, deps);
  return { value, error, reload };
}

/** Runs an action from a button, with its pending state and its error. */
export function useAction() {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const run = useCallback(async <T,>(action: () => Promise<T>): Promise<T | undefined> => {
    setPending(true);
    setError(undefined);
    try {
      return await action();
    } catch (caught) {
      setError(caught);
      return undefined;
    } finally {
      setPending(false);
    }
  }, []);
  return { pending, error, run, setError };
}

export function ErrorNote({ error }: { error: unknown }) {
  if (!error) return null;
  const fieldCount = error instanceof ApiProblem ? error.issues.length : 0;
  return (
    <p class="error" role="alert">
      {messageOf(error)}
      {fieldCount ? ' See the fields marked below.' : ''}
    </p>
  );
}

let fieldIds = 0;
/** A labelled control with its hint and the API's issues for it, tied together for screen readers. */
export function Field(props: { label: string; hint?: string; issues?: readonly string[]; children: (id: string, describedBy: string | undefined) => ComponentChildren }) {
  const [id] = useState(() => `field-${++fieldIds}`);
  const issues = props.issues ?? [];
  const describedBy = [props.hint ? `${id}-hint` : '', issues.length ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div class={`field${issues.length ? ' invalid' : ''}`}>
      <label for={id}>{props.label}</label>
      {props.children(id, describedBy)}
      {props.hint ? (
        <small id={`${id}-hint`} class="hint">
          {props.hint}
        </small>
      ) : null}
      {issues.length ? (
        <small id={`${id}-error`} class="field-error" role="alert">
          {issues.join('; ')}
        </small>
      ) : null}
    </div>
  );
}

/** Horizontal bars with their numbers: readable without colour, and the numbers are the text. */
export function BarChart({ title, bars }: { title: string; bars: ReadonlyArray<{ label: string; value: number }> }) {
  const max = Math.max(1, ...bars.map((bar) => bar.value));
  return (
    <figure class="chart">
      <figcaption>{title}</figcaption>
      <svg role="img" aria-label={`${title}: ${bars.map((bar) => `${bar.label} ${bar.value}`).join(', ')}`} viewBox={`0 0 400 ${bars.length * 28}`} width="100%">
        {bars.map((bar, i) => (
          <g key={bar.label} transform={`translate(0 ${i * 28})`}>
            <text x="0" y="17" class="chart-label">
              {bar.label}
            </text>
            <rect x="110" y="4" height="18" width={(bar.value / max) * 230} class="chart-bar" />
            <text x={116 + (bar.value / max) * 230} y="17" class="chart-value">
              {bar.value.toLocaleString('en')}
            </text>
          </g>
        ))}
      </svg>
    </figure>
  );
}

export function Progress({ label, value, max }: { label: string; value: number; max: number }) {
  return (
    <div class="progress">
      <span>{label}</span>
      <progress value={value} max={Math.max(max, 1)} aria-label={label} />
      <span>
        {value.toLocaleString('en')} / {max.toLocaleString('en')}
      </span>
    </div>
  );
}

export const Loading = () => <p aria-busy="true">Loading…</p>;

/** A detail page's heading with its status badge, what the last action did (announced) and its error. */
export function DetailHeader(props: { titleId: string; title: string; status: string; statusTestId: string; notice?: string; error?: unknown }) {
  return (
    <>
      <header class="page-header">
        <h1 id={props.titleId}>{props.title}</h1>
        <span class={`status status-${props.status}`} data-testid={props.statusTestId}>
          {props.status}
        </span>
      </header>
      <p role="status" class="notice">
        {props.notice ?? ''}
      </p>
      <ErrorNote error={props.error} />
    </>
  );
}
