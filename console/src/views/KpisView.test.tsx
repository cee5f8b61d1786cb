import { act, render, screen } from '@testing-library/react';
import { KPI_POLL_MS, KpisView } from './KpisView';

const json = (body: unknown) => new Response(JSON.stringify(body), { status: 200, headers: { 'Content-Type': 'application/json' } });

const figures = (requests: number) => ({
  requests,
  clientErrors: 0,
  serverErrors: 0,
  requestSeconds: requests / 100,
  cpu: 0.5,
  heapUsedBytes: 3e8,
  heapMaxBytes: 1e9,
  threads: 40,
  connectionsActive: 2,
  connectionsIdle: 8,
  connectionsPending: 0,
});

describe('KpisView', () => {
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it('charts each service from successive readings of the admin API, and names one not answering', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    let reading = 0;
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string) => {
        expect(url).toBe('/api/v1/admin/database/metrics');
        reading++;
        return json({
          services: [
            { service: 'tenant', ok: true, events: null, process: figures(reading * 500), error: null },
            { service: 'billing', ok: false, events: null, process: null, error: 'connection refused' },
          ],
        });
      }),
    );
    render(<KpisView />);
    await screen.findByTestId('kpis-tenant');
    await act(async () => {
      await vi.advanceTimersByTimeAsync(KPI_POLL_MS + 100);
    });
    const requests = await screen.findByRole('img', { name: /^tenant requests: / });
    // 500 more requests over about five seconds.
    expect(requests.getAttribute('aria-label')).toMatch(/^tenant requests: (9\d|10\d)(\.\d+)? \/s$/);
    expect(screen.getByRole('img', { name: 'tenant heap: 300 MB' })).toBeTruthy();
    expect(screen.getByText(/not answering: connection refused/)).toBeTruthy();
  });
});
