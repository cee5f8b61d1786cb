import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { AuditView, ClustersView, RecommendationsView } from './FleetViews';

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

const cluster = (name: string, tenants: number, state = 'ACTIVE') => ({
  name,
  role: 'SHARED',
  region: 'eu',
  capacity: 100,
  tenants,
  fill: tenants / 100,
  highWaterMark: 0.85,
  aboveHighWaterMark: tenants > 85,
  state,
  source: 'CONFIG',
  reason: null,
});

describe('ClustersView', () => {
  afterEach(() => vi.unstubAllGlobals());

  it("shows each service's clusters as bars of tenants against capacity, and drains one once confirmed", async () => {
    const calls: string[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string, init?: RequestInit) => {
        calls.push(`${init?.method ?? 'GET'} ${url}`);
        return json(url.endsWith('/drain') ? cluster('a', 90, 'DRAINING') : [cluster('a', 90), cluster('b', 10, 'DRAINED')]);
      }),
    );
    render(<ClustersView />);
    const fill = await screen.findByRole('progressbar', { name: 'billing a fill' });
    expect(fill.getAttribute('aria-valuenow')).toBe('90');
    expect(fill.getAttribute('aria-valuetext')).toBe('90 / 100 (above its mark)');
    // A drained cluster cannot be drained again.
    const billing = screen.getByRole('table', { name: 'billing clusters' });
    expect(within(billing).getAllByRole('button').map((b) => b.textContent)).toEqual(['Drain a']);
    fireEvent.click(within(billing).getByRole('button', { name: 'Drain a' }));
    fireEvent.click(within(billing).getByRole('button', { name: 'Confirm' }));
    await waitFor(() => expect(calls).toContain('POST /api/v1/admin/services/billing/clusters/a/drain'));
    // Read again after the drain.
    await waitFor(() =>
      expect(calls.filter((c) => c.startsWith('GET') && c.includes('/services/billing/clusters')).length).toBeGreaterThan(1),
    );
  });
});

describe('RecommendationsView', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('lists what the policy would change with its reasons and figures, and approves one', async () => {
    const posted: string[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string, init?: RequestInit) => {
        if (init?.method === 'POST') {
          posted.push(url);
          return json({ id: 'd1' }, 202);
        }
        return json(
          url.includes('/services/file/')
            ? [
                {
                  tenantId: 't-1',
                  plan: 'SHARED',
                  cluster: 'shared',
                  advice: { current: 'SHARED', target: 'DEDICATED', actionable: true, reasons: ['rows 12000 >= 10000'], coolingUntil: null },
                  figures: { rows: 12000, bytes: 3e6, p95Millis: 4.5, writesPerSecond: 2 },
                  openDecision: null,
                },
              ]
            : [],
        );
      }),
    );
    render(<RecommendationsView />);
    const table = await screen.findByRole('table', { name: 'file recommendations' });
    expect(within(table).getByText('SHARED → DEDICATED')).toBeTruthy();
    expect(within(table).getByText('rows 12000 >= 10000')).toBeTruthy();
    expect(within(table).getByText('12,000 rows, 3 MB, p95 4.5 ms, 2 writes/s')).toBeTruthy();
    fireEvent.click(within(table).getByRole('button', { name: 'Approve' }));
    fireEvent.click(within(table).getByRole('button', { name: 'Confirm' }));
    await waitFor(() => expect(posted).toEqual(['/api/v1/admin/services/file/placement/recommendations/t-1/approve']));
  });
});

describe('AuditView', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('filters the trail and pages back by its cursor', async () => {
    const asked: string[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string) => {
        asked.push(url);
        const record = {
          id: url.includes('cursor') ? 'r2' : 'r1',
          tenantId: null,
          seq: 1,
          occurredAt: '2026-12-07T05:00:00.123Z',
          action: url.includes('cursor') ? 'tenant.create' : 'tenant.suspend',
          target: { type: 'tenant', id: 'x' },
          actor: { subject: 'operator:ops', tenantId: null, clientId: null },
          outcome: 'SUCCEEDED',
          status: null,
        };
        return json({ items: [record], next: url.includes('cursor') ? null : 'r1' });
      }),
    );
    render(<AuditView />);
    await screen.findByText('tenant.suspend');
    fireEvent.change(screen.getByLabelText('Action'), { target: { value: 'tenant.suspend' } });
    fireEvent.click(screen.getByRole('button', { name: 'Filter' }));
    await waitFor(() => expect(asked.some((u) => u.includes('action=tenant.suspend'))).toBe(true));
    fireEvent.click(await screen.findByRole('button', { name: 'Older' }));
    await screen.findByText('tenant.create');
    expect(asked[asked.length - 1]).toContain('cursor=r1');
    expect(screen.getByRole('button', { name: 'Older' }).hasAttribute('disabled')).toBe(true);
  });
});
