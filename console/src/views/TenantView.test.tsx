import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { TenantView } from './TenantView';

const tenant = {
  id: 't1',
  name: 'Acme',
  slug: 'acme',
  plan: 'PROFESSIONAL',
  tier: 'DEDICATED',
  region: 'eu',
  status: 'ACTIVE',
  statusReason: null,
  createdAt: '2026-12-07T00:00:00Z',
  deleteRequestedAt: null,
  eraseAfter: null,
  erasedAt: null,
  placements: [],
  pendingTierChange: null,
};

const moving = (status: string, phase: string, moveStatus: string) => ({
  id: 'c1',
  kind: 'TIER_CHANGE',
  fromPlan: 'PROFESSIONAL',
  toPlan: 'STANDARD',
  fromTier: 'DEDICATED',
  toTier: 'SHARED',
  status,
  services: ['billing'],
  reason: null,
  requestedBy: 'operator:ops',
  requestedAt: '2026-12-07T05:00:00Z',
  finishedAt: null,
  moves: [
    {
      service: 'billing',
      rollback: false,
      status: moveStatus,
      moveId: 'm1',
      phase,
      changesApplied: 10,
      lagMs: 5,
      reason: null,
      tier: 'SHARED',
      isolation: 'ROW',
      cluster: 'shared',
      epoch: 2,
      fencedMs: moveStatus === 'SUCCEEDED' ? 9 : null,
      checksums: moveStatus === 'SUCCEEDED' ? { invoice: { rows: 10, sum: '77' } } : null,
      updatedAt: null,
    },
  ],
});

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

describe('TenantView', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('gives an operator the lifecycle actions, and a tenant user none of them', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string) =>
        url.includes('/tier-changes') || url.includes('/exports') ? json({ items: [], page: 0, size: 20 }) : json(tenant),
      ),
    );
    const { unmount } = render(<TenantView id="t1" operator />);
    await screen.findByText('Acme');
    for (const label of ['Change plan', 'Rebalance', 'Suspend', 'Export', 'Delete']) {
      expect(screen.getByRole('button', { name: label })).toBeTruthy();
    }
    unmount();
    render(<TenantView id="t1" />);
    await screen.findByText('Acme');
    expect(screen.queryAllByRole('button')).toHaveLength(0);
  });

  it('starts a tier change once confirmed and follows its bars until the move is done', async () => {
    let reads = 0;
    const posted: unknown[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string, init?: RequestInit) => {
        if (url.endsWith('/tier-change')) {
          posted.push(JSON.parse(String(init?.body)));
          return json({ ...tenant, pendingTierChange: moving('REQUESTED', 'PREPARING', 'RUNNING') }, 202);
        }
        if (url.includes('/tier-changes')) {
          reads++;
          const items = reads < 3 ? [moving('REQUESTED', 'COPYING', 'RUNNING')] : [moving('COMPLETED', 'SWITCHED', 'SUCCEEDED')];
          return json({ items, page: 0, size: 20 });
        }
        if (url.includes('/exports')) {
          return json({ items: [], page: 0, size: 10 });
        }
        return json(tenant);
      }),
    );
    render(<TenantView id="t1" operator />);
    await screen.findByText('Acme');
    fireEvent.change(screen.getByLabelText('New plan'), { target: { value: 'STANDARD' } });
    fireEvent.click(screen.getByRole('button', { name: 'Change plan' }));
    fireEvent.click(screen.getByRole('button', { name: 'Confirm' }));
    await waitFor(() => expect(posted).toEqual([{ plan: 'STANDARD' }]));
    const bar = await screen.findByRole('progressbar', { name: 'billing move' });
    await waitFor(() => expect(bar.getAttribute('aria-valuenow')).toBe('100'), { timeout: 5000 });
    expect(screen.getByRole('table', { name: 'billing checksums' })).toBeTruthy();
    expect(screen.getByTestId('tier-change-status').textContent).toBe('COMPLETED');
  });

  it('shows a refused action as its problem next to it', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string, init?: RequestInit) => {
        if (init?.method === 'DELETE') {
          return new Response(JSON.stringify({ title: 'Conflict', detail: 'Tenant t1 has an export running' }), {
            status: 409,
            headers: { 'Content-Type': 'application/problem+json' },
          });
        }
        return url.includes('/tier-changes') || url.includes('/exports') ? json({ items: [], page: 0, size: 20 }) : json(tenant);
      }),
    );
    render(<TenantView id="t1" operator />);
    await screen.findByText('Acme');
    fireEvent.click(screen.getByRole('button', { name: 'Delete' }));
    fireEvent.click(screen.getByRole('button', { name: 'Confirm' }));
    expect((await screen.findByRole('alert')).textContent).toBe('Conflict — Tenant t1 has an export running');
  });
});
