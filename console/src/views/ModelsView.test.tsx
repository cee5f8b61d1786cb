import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { ModelsView } from './ModelsView';

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': status >= 400 ? 'application/problem+json' : 'application/json' },
  });

const model = {
  id: 'm1',
  name: 'revenue',
  description: null,
  definition: {
    inputs: [{ name: 'a', distribution: { type: 'normal', mean: 1, sd: 1 } }],
    outputs: [{ name: 'x', expression: 'a * 2' }],
  },
  createdAt: '2026-12-07T05:00:00Z',
};

const run = (status: string, done: number, result: unknown = null) => ({
  id: 'r1',
  modelId: 'm1',
  status,
  iterations: 1000,
  seed: 7,
  iterationsDone: done,
  progressPercent: done / 10,
  durationMillis: result ? 12 : null,
  result,
  error: null,
});

const outputs = {
  outputs: [
    {
      name: 'x',
      count: 1000,
      mean: 2,
      standardDeviation: 2,
      min: -5,
      max: 9,
      percentiles: [
        { percent: 5, value: -1.3 },
        { percent: 50, value: 2 },
        { percent: 95, value: 5.3 },
      ],
      histogram: { min: -5, max: 9, counts: [1, 10, 100, 10, 1] },
      convergence: [
        { iterations: 500, mean: 2.1 },
        { iterations: 1000, mean: 2 },
      ],
    },
  ],
};

function stream(text: string) {
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      // In two chunks, cut inside an event.
      const bytes = new TextEncoder().encode(text);
      controller.enqueue(bytes.slice(0, 40));
      controller.enqueue(bytes.slice(40));
      controller.close();
    },
  });
  return new Response(body, { status: 200, headers: { 'Content-Type': 'text/event-stream' } });
}

describe('ModelsView', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('shows a fault at the position in the expression it names, then saves the fixed model', async () => {
    const posted: unknown[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (_url: string, init?: RequestInit) => {
        if (init?.method === 'POST') {
          const body = JSON.parse(String(init.body)) as { definition: { outputs: { expression: string }[] } };
          posted.push(body);
          if (body.definition.outputs[0].expression === 'a * (') {
            return json(
              {
                title: 'Invalid model',
                detail: 'The model definition has 2 faults',
                faults: [
                  { subject: 'x', kind: 'SYNTAX_ERROR', message: "Output 'x': unexpected end at position 5 of 'a * ('" },
                  { subject: 'inputs[0].distribution.sd', kind: 'INVALID_DEFINITION', message: 'sd must be a number' },
                ],
              },
              422,
            );
          }
          return json(model, 201);
        }
        return json({ items: [], page: 0, size: 100 });
      }),
    );
    render(<ModelsView canWrite />);
    fireEvent.click(screen.getByRole('button', { name: 'New model' }));
    fireEvent.change(screen.getByLabelText('Model name'), { target: { value: 'revenue' } });
    fireEvent.change(screen.getByLabelText('Input 1 name'), { target: { value: 'a' } });
    fireEvent.change(screen.getByLabelText('Input 1 mean'), { target: { value: '1' } });
    fireEvent.change(screen.getByLabelText('Input 1 sd'), { target: { value: 'one' } });
    fireEvent.change(screen.getByLabelText('Output 1 name'), { target: { value: 'x' } });
    fireEvent.change(screen.getByLabelText('Output 1 expression'), { target: { value: 'a * (' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create model' }));

    const at = await screen.findByTestId('fault-position');
    expect(at.querySelector('mark')?.textContent).toBe('(');
    expect(within(screen.getByTestId('output-0')).getByText(/SYNTAX_ERROR/)).toBeTruthy();
    expect(within(screen.getByTestId('input-0')).getByText('INVALID_DEFINITION: sd must be a number')).toBeTruthy();
    expect(screen.getByText(/The model definition has 2 faults/)).toBeTruthy();

    fireEvent.change(screen.getByLabelText('Input 1 sd'), { target: { value: '1' } });
    fireEvent.change(screen.getByLabelText('Output 1 expression'), { target: { value: 'a * 2' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create model' }));
    await screen.findByRole('button', { name: 'Save model' });
    expect(screen.queryByTestId('fault-position')).toBeNull();
    expect(posted[1]).toEqual({
      name: 'revenue',
      description: null,
      definition: { inputs: [{ name: 'a', distribution: { type: 'normal', mean: 1, sd: 1 } }], outputs: [{ name: 'x', expression: 'a * 2' }] },
    });
  });

  it('runs a model with a live bar over SSE, then shows the histogram, the convergence and the percentiles', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string, init?: RequestInit) => {
        if (url.endsWith('/runs') && init?.method === 'POST') {
          return json(run('QUEUED', 0), 202);
        }
        if (url.endsWith('/progress')) {
          return stream(
            'event:progress\ndata:{"percent":50,"iterationsDone":500,"iterationsPerSecond":1000,"etaSeconds":1}\n\n' +
              `event:result\ndata:${JSON.stringify(run('COMPLETED', 1000, outputs))}\n\n`,
          );
        }
        return json({ items: [model], page: 0, size: 100 });
      }),
    );
    render(<ModelsView canWrite />);
    fireEvent.click(await screen.findByRole('button', { name: 'revenue' }));
    fireEvent.change(screen.getByLabelText('Iterations'), { target: { value: '1000' } });
    fireEvent.click(screen.getByRole('button', { name: 'Run' }));
    const bar = await screen.findByRole('progressbar', { name: 'run progress' });
    await waitFor(() => expect(bar.getAttribute('aria-valuenow')).toBe('100'));
    expect(screen.getByRole('img', { name: /x: histogram of 5 bins/ })).toBeTruthy();
    expect(screen.getByRole('img', { name: /x: convergence of the mean/ })).toBeTruthy();
    const percentiles = screen.getByRole('table', { name: 'x percentiles' });
    expect(within(percentiles).getByText('P95')).toBeTruthy();
    expect(within(percentiles).getByText('5.3')).toBeTruthy();
  });

  it('cancels a run that is computing', async () => {
    const posted: string[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string, init?: RequestInit) => {
        if (init?.method === 'POST') {
          posted.push(url);
          return json(url.endsWith('/cancel') ? run('RUNNING', 300) : run('QUEUED', 0), 202);
        }
        if (url.endsWith('/progress')) {
          // A stream that stays open: the run goes on until cancelled.
          const body = new ReadableStream<Uint8Array>({
            start(controller) {
              controller.enqueue(
                new TextEncoder().encode('event:progress\ndata:{"percent":30,"iterationsDone":300,"iterationsPerSecond":100,"etaSeconds":7}\n\n'),
              );
            },
          });
          return new Response(body, { status: 200, headers: { 'Content-Type': 'text/event-stream' } });
        }
        return json({ items: [model], page: 0, size: 100 });
      }),
    );
    const { unmount } = render(<ModelsView canWrite />);
    fireEvent.click(await screen.findByRole('button', { name: 'revenue' }));
    fireEvent.click(screen.getByRole('button', { name: 'Run' }));
    const bar = await screen.findByRole('progressbar', { name: 'run progress' });
    await waitFor(() => expect(bar.getAttribute('aria-valuetext')).toBe('30 % · 100 it/s · ETA 7 s'));
    fireEvent.click(screen.getByRole('button', { name: 'Cancel run' }));
    await waitFor(() => expect(posted).toEqual(['/api/v1/models/m1/runs', '/api/v1/runs/r1/cancel']));
    unmount();
  });

  it('gives a reader no way to change a model', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => json({ items: [model], page: 0, size: 100 })));
    render(<ModelsView canWrite={false} />);
    fireEvent.click(await screen.findByRole('button', { name: 'revenue' }));
    expect(screen.queryByRole('button', { name: 'New model' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Run' })).toBeNull();
    expect(screen.getByLabelText('Model name').matches(':disabled')).toBe(true);
  });
});
