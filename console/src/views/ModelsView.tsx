import { FormEvent, useEffect, useRef, useState } from 'react';
import { api, Page, Problem } from '../api';
import { ConvergencePlot, Histogram } from '../components/Charts';
import { ProblemMessage } from '../components/ProblemMessage';
import { ProgressBar } from '../components/ProgressBar';
import {
  DISTRIBUTIONS,
  Fault,
  faultPosition,
  fromModel,
  ModelDraft,
  placeFaults,
  PlacedFaults,
  toDefinition,
} from '../models';
import { followEvents } from '../sse';

interface Model {
  id: string;
  name: string;
  description: string | null;
  definition: unknown;
  createdAt: string;
}

interface OutputStatistics {
  name: string;
  count: number;
  mean: number;
  standardDeviation: number;
  min: number;
  max: number;
  percentiles: { percent: number; value: number }[];
  histogram: { min: number; max: number; counts: number[] };
  convergence: { iterations: number; mean: number }[];
}

export interface Run {
  id: string;
  modelId: string;
  status: 'QUEUED' | 'RUNNING' | 'COMPLETED' | 'CANCELLED' | 'FAILED';
  iterations: number;
  seed: number;
  iterationsDone: number;
  progressPercent: number;
  durationMillis: number | null;
  result: { outputs: OutputStatistics[] } | null;
  error: string | null;
}

interface Progress {
  percent: number;
  iterationsDone: number;
  iterationsPerSecond: number;
  etaSeconds: number | null;
}

const EMPTY: ModelDraft = {
  name: '',
  description: '',
  inputs: [{ name: '', type: 'normal', params: {} }],
  correlations: [],
  outputs: [{ name: '', expression: '' }],
};

/** The tenant's models: a list, and the one open in the editor with its runs. */
export function ModelsView({ canWrite }: { canWrite: boolean }) {
  const [models, setModels] = useState<Model[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [open, setOpen] = useState<Model | 'new' | null>(null);
  const [version, setVersion] = useState(0);

  useEffect(() => {
    api<Page<Model>>('/api/v1/models?size=100')
      .then((page) => {
        setModels(page.items);
        setError(null);
      })
      .catch(setError);
  }, [version]);

  return (
    <section aria-labelledby="models-heading">
      <h2 id="models-heading">Models</h2>
      <ProblemMessage error={error} />
      <div className="actions">
        {canWrite ? (
          <button type="button" onClick={() => setOpen('new')}>
            New model
          </button>
        ) : null}
        {models.map((m) => (
          <button type="button" className="link" key={m.id} aria-pressed={open !== 'new' && open?.id === m.id} onClick={() => setOpen(m)}>
            {m.name}
          </button>
        ))}
      </div>
      {open ? (
        <ModelEditor
          key={open === 'new' ? 'new' : open.id}
          model={open === 'new' ? null : open}
          canWrite={canWrite}
          onSaved={(saved) => {
            setOpen(saved);
            setVersion((v) => v + 1);
          }}
        />
      ) : null}
    </section>
  );
}

function FaultList({ faults, expression }: { faults: Fault[]; expression?: string }) {
  if (faults.length === 0) {
    return null;
  }
  return (
    <ul className="faults" role="alert">
      {faults.map((f, i) => {
        const at = expression !== undefined ? faultPosition(f) : null;
        return (
          <li key={i}>
            {at !== null && expression !== undefined ? (
              <code className="fault-at" data-testid="fault-position">
                {expression.slice(0, at - 1)}
                <mark>{expression.slice(at - 1, at) || ' '}</mark>
                {expression.slice(at)}
              </code>
            ) : null}
            <span>
              {f.kind}: {f.message}
            </span>
          </li>
        );
      })}
    </ul>
  );
}

function ModelEditor({ model, canWrite, onSaved }: { model: Model | null; canWrite: boolean; onSaved: (m: Model) => void }) {
  const [draft, setDraft] = useState<ModelDraft>(model ? fromModel(model) : EMPTY);
  const [faults, setFaults] = useState<PlacedFaults | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);

  const set = (change: Partial<ModelDraft>) => {
    setDraft({ ...draft, ...change });
    setSaved(false);
  };

  async function save(event: FormEvent) {
    event.preventDefault();
    const body = { name: draft.name, description: draft.description || null, definition: toDefinition(draft) };
    try {
      const result = model
        ? await api<Model>(`/api/v1/models/${encodeURIComponent(model.id)}`, { method: 'PUT', body })
        : await api<Model>('/api/v1/models', { method: 'POST', body });
      setFaults(null);
      setError(null);
      setSaved(true);
      onSaved(result);
    } catch (failure) {
      const listed = failure instanceof Problem ? (failure.properties.faults as Fault[] | undefined) : undefined;
      setFaults(listed ? placeFaults(listed, draft) : null);
      setError(failure);
    }
  }

  const inputFaults = (i: number) => faults?.inputs[i] ?? [];
  const outputFaults = (i: number) => faults?.outputs[i] ?? [];

  return (
    <>
      <form className="model-editor" onSubmit={save} aria-label={model ? `Edit ${model.name}` : 'New model'}>
        <fieldset disabled={!canWrite}>
          <div className="row">
            <label>
              Model name
              <input value={draft.name} required maxLength={100} onChange={(e) => set({ name: e.target.value })} />
            </label>
            <label>
              Description
              <input value={draft.description} maxLength={1000} onChange={(e) => set({ description: e.target.value })} />
            </label>
          </div>
          <h3>Inputs</h3>
          {draft.inputs.map((input, i) => (
            <div key={i} className="model-row" data-testid={`input-${i}`}>
              <div className="row">
                <label>
                  Input {i + 1} name
                  <input
                    value={input.name}
                    maxLength={64}
                    onChange={(e) => set({ inputs: draft.inputs.map((x, j) => (j === i ? { ...x, name: e.target.value } : x)) })}
                  />
                </label>
                <label>
                  Input {i + 1} distribution
                  <select
                    value={input.type}
                    onChange={(e) => set({ inputs: draft.inputs.map((x, j) => (j === i ? { ...x, type: e.target.value } : x)) })}
                  >
                    {Object.keys(DISTRIBUTIONS).map((d) => (
                      <option key={d}>{d}</option>
                    ))}
                  </select>
                </label>
                {(DISTRIBUTIONS[input.type] ?? []).map((param) => (
                  <label key={param}>
                    Input {i + 1} {param}
                    <input
                      value={input.params[param] ?? ''}
                      maxLength={2000}
                      inputMode={input.type === 'discrete' ? 'text' : 'decimal'}
                      onChange={(e) =>
                        set({
                          inputs: draft.inputs.map((x, j) => (j === i ? { ...x, params: { ...x.params, [param]: e.target.value } } : x)),
                        })
                      }
                    />
                  </label>
                ))}
                <button type="button" onClick={() => set({ inputs: draft.inputs.filter((_, j) => j !== i) })}>
                  Remove input {i + 1}
                </button>
              </div>
              <FaultList faults={inputFaults(i)} />
            </div>
          ))}
          <button type="button" onClick={() => set({ inputs: [...draft.inputs, { name: '', type: 'normal', params: {} }] })}>
            Add input
          </button>
          <h3>Correlations</h3>
          {draft.correlations.map((c, i) => (
            <div key={i} className="model-row">
              <div className="row">
                {(['a', 'b', 'rho'] as const).map((field) => (
                  <label key={field}>
                    Correlation {i + 1} {field === 'rho' ? 'rho' : field === 'a' ? 'between' : 'and'}
                    <input
                      value={c[field]}
                      maxLength={64}
                      onChange={(e) => set({ correlations: draft.correlations.map((x, j) => (j === i ? { ...x, [field]: e.target.value } : x)) })}
                    />
                  </label>
                ))}
                <button type="button" onClick={() => set({ correlations: draft.correlations.filter((_, j) => j !== i) })}>
                  Remove correlation {i + 1}
                </button>
              </div>
              <FaultList faults={faults?.correlations[i] ?? []} />
            </div>
          ))}
          <button type="button" onClick={() => set({ correlations: [...draft.correlations, { a: '', b: '', rho: '' }] })}>
            Add correlation
          </button>
          <h3>Outputs</h3>
          {draft.outputs.map((o, i) => (
            <div key={i} className="model-row" data-testid={`output-${i}`}>
              <div className="row">
                <label>
                  Output {i + 1} name
                  <input
                    value={o.name}
                    maxLength={64}
                    onChange={(e) => set({ outputs: draft.outputs.map((x, j) => (j === i ? { ...x, name: e.target.value } : x)) })}
                  />
                </label>
                <label className="wide">
                  Output {i + 1} expression
                  <input
                    value={o.expression}
                    maxLength={10000}
                    spellCheck={false}
                    onChange={(e) => set({ outputs: draft.outputs.map((x, j) => (j === i ? { ...x, expression: e.target.value } : x)) })}
                  />
                </label>
                <button type="button" onClick={() => set({ outputs: draft.outputs.filter((_, j) => j !== i) })}>
                  Remove output {i + 1}
                </button>
              </div>
              <FaultList faults={outputFaults(i)} expression={o.expression} />
            </div>
          ))}
          <button type="button" onClick={() => set({ outputs: [...draft.outputs, { name: '', expression: '' }] })}>
            Add output
          </button>
          <FaultList faults={faults?.model ?? []} />
          <div className="actions">
            <button type="submit">{model ? 'Save model' : 'Create model'}</button>
            {saved ? <span role="status">Saved</span> : null}
          </div>
        </fieldset>
        <ProblemMessage error={error} />
      </form>
      {model ? <Runs model={model} canStart={canWrite} /> : null}
    </>
  );
}

const fmt = new Intl.NumberFormat('en', { maximumFractionDigits: 1 });

/** Starts a run of the model and follows it live; shows the result of the last one. */
function Runs({ model, canStart }: { model: Model; canStart: boolean }) {
  const [iterations, setIterations] = useState('100000');
  const [seed, setSeed] = useState('');
  const [run, setRun] = useState<Run | null>(null);
  const [progress, setProgress] = useState<Progress | null>(null);
  const [error, setError] = useState<unknown>(null);
  const following = useRef<AbortController | null>(null);

  useEffect(() => () => following.current?.abort(), []);

  function follow(started: Run) {
    following.current?.abort();
    const controller = new AbortController();
    following.current = controller;
    followEvents(
      `/api/v1/runs/${encodeURIComponent(started.id)}/progress`,
      (event) => {
        if (event.event === 'progress') {
          setProgress(JSON.parse(event.data) as Progress);
        } else if (event.event === 'result') {
          setRun(JSON.parse(event.data) as Run);
        }
      },
      controller.signal,
    ).catch((failure) => {
      if (!controller.signal.aborted) {
        setError(failure);
      }
    });
  }

  async function start(event: FormEvent) {
    event.preventDefault();
    try {
      const body: Record<string, number> = { iterations: Number(iterations) };
      if (seed.trim()) {
        body.seed = Number(seed);
      }
      const started = await api<Run>(`/api/v1/models/${encodeURIComponent(model.id)}/runs`, { method: 'POST', body });
      setRun(started);
      setProgress(null);
      setError(null);
      follow(started);
    } catch (failure) {
      setError(failure);
    }
  }

  async function cancel() {
    if (!run) {
      return;
    }
    try {
      await api<Run>(`/api/v1/runs/${encodeURIComponent(run.id)}/cancel`, { method: 'POST' });
    } catch (failure) {
      setError(failure);
    }
  }

  const live = run && (run.status === 'QUEUED' || run.status === 'RUNNING');
  const percent = run?.status === 'COMPLETED' ? 100 : (progress?.percent ?? run?.progressPercent ?? 0);
  return (
    <section aria-labelledby="runs-heading" className="runs">
      <h3 id="runs-heading">Runs of {model.name}</h3>
      {canStart ? (
        <form className="row" onSubmit={start} aria-label="Start a run">
          <label>
            Iterations
            <input value={iterations} inputMode="numeric" required onChange={(e) => setIterations(e.target.value)} />
          </label>
          <label>
            Seed (optional)
            <input value={seed} inputMode="numeric" onChange={(e) => setSeed(e.target.value)} />
          </label>
          <button type="submit" disabled={Boolean(live)}>
            Run
          </button>
          {live ? (
            <button type="button" onClick={() => void cancel()}>
              Cancel run
            </button>
          ) : null}
        </form>
      ) : null}
      <ProblemMessage error={error} />
      {run ? (
        <div data-testid="run">
          <ProgressBar
            label="run progress"
            value={percent}
            text={`${fmt.format(percent)} %${
              live && progress
                ? ` · ${fmt.format(progress.iterationsPerSecond)} it/s · ETA ${progress.etaSeconds !== null ? `${fmt.format(progress.etaSeconds)} s` : '—'}`
                : ` · ${run.status.toLowerCase()}`
            }`}
          />
          {run.error ? <p className="move-reason">{run.error}</p> : null}
          {run.result ? <RunResult run={run} /> : null}
        </div>
      ) : null}
    </section>
  );
}

function RunResult({ run }: { run: Run }) {
  return (
    <div className="run-result">
      <p>
        {run.iterationsDone.toLocaleString('en')} iterations, seed {run.seed}
        {run.durationMillis !== null ? `, ${fmt.format(run.durationMillis / 1000)} s` : ''}
      </p>
      {(run.result?.outputs ?? []).map((o) => (
        <div key={o.name} className="output-result" data-testid={`result-${o.name}`}>
          <h4>{o.name}</h4>
          <p>
            mean {fmt.format(o.mean)}, sd {fmt.format(o.standardDeviation)}, min {fmt.format(o.min)}, max {fmt.format(o.max)}
          </p>
          <div className="charts">
            <Histogram label={o.name} min={o.histogram.min} max={o.histogram.max} counts={o.histogram.counts} />
            <ConvergencePlot label={o.name} points={o.convergence} />
          </div>
          <table className="percentiles" aria-label={`${o.name} percentiles`}>
            <thead>
              <tr>
                {o.percentiles.map((p) => (
                  <th scope="col" key={p.percent}>
                    P{p.percent}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              <tr>
                {o.percentiles.map((p) => (
                  <td key={p.percent}>{fmt.format(p.value)}</td>
                ))}
              </tr>
            </tbody>
          </table>
        </div>
      ))}
    </div>
  );
}
