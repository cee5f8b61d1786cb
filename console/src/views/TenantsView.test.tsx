import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { tenantsQuery, TenantsView } from './TenantsView';

const tenant = (n: number) => ({
  id: `id-${n}`,
  name: `Tenant ${n}`,
  slug: `t-${n}`,
  plan: 'STANDARD',
  tier: 'SHARED',
  region: 'eu',
  status: n === 2 ? 'PROVISIONING' : 'ACTIVE',
  statusReason: null,
  createdAt: '2026-12-07T00:00:00Z',
  placements: [],
});

describe('TenantsView', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('lists the tenants and opens one', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => new Response(JSON.stringify({ items: [tenant(1), tenant(2)], page: 0, size: 20 }), { status: 200 })),
    );
    const opened: string[] = [];
    render(<TenantsView onOpen={(id) => opened.push(id)} />);
    await screen.findByText('Tenant 2');
    expect(within(screen.getByRole('table')).getByText('PROVISIONING')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Tenant 1' }));
    expect(opened).toEqual(['id-1']);
  });

  it('shows the problem of a refused creation next to the form', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async (_url: string, init?: RequestInit) =>
        init?.method === 'POST'
          ? new Response(JSON.stringify({ title: 'Conflict', detail: 'The slug t-1 is taken' }), {
              status: 409,
              headers: { 'Content-Type': 'application/problem+json' },
            })
          : new Response(JSON.stringify({ items: [], page: 0, size: 20 }), { status: 200 }),
      ),
    );
    render(<TenantsView onOpen={() => undefined} />);
    fireEvent.change(screen.getByLabelText('Name'), { target: { value: 'T' } });
    fireEvent.change(screen.getByLabelText('Slug'), { target: { value: 't-1' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create tenant' }));
    await waitFor(() => expect(screen.getByRole('alert').textContent).toContain('The slug t-1 is taken'));
  });
});

describe('the tenants query', () => {
  it('sends only the filter parts that are set, trimmed and encoded', () => {
    expect(tenantsQuery({ q: ' acme & co ', status: '', tier: 'SHARED', region: '' }, 2, 20)).toBe(
      '/api/v1/tenants?page=2&size=20&q=acme+%26+co&tier=SHARED',
    );
    expect(tenantsQuery({ q: '', status: '', tier: '', region: '' }, 0, 20)).toBe('/api/v1/tenants?page=0&size=20');
  });
});
