import { render, screen, waitFor } from '@testing-library/react';
import { Tenant } from '../api';
import { Erasure, exportPercent, Exports } from './TenantHistory';

const json = (body: unknown) => new Response(JSON.stringify(body), { status: 200, headers: { 'Content-Type': 'application/json' } });

const part = (service: string, status: string) => ({
  service,
  status,
  rowsWritten: 10,
  bytesWritten: 1000,
  schemaVersion: null,
  tables: null,
  reason: null,
  updatedAt: null,
});

const exported = (status: string, parts: string[]) => ({
  id: 'e1',
  tenantId: 't1',
  status,
  reason: null,
  requestedBy: 'operator:ops',
  requestedAt: '2026-12-07T05:00:00Z',
  finishedAt: null,
  rowsWritten: 40,
  bytesWritten: 4000,
  services: ['analytics', 'billing', 'file', 'simulation'].map((s, i) => part(s, parts[i])),
});

describe('Exports', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('counts the services that wrote their part, follows a running export and offers the archive once done', async () => {
    let reads = 0;
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => {
        reads++;
        return json({
          items: [reads < 2 ? exported('RUNNING', ['SUCCEEDED', 'RUNNING', 'PENDING', 'SUCCEEDED']) : exported('COMPLETED', ['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED'])],
        });
      }),
    );
    expect(exportPercent(exported('RUNNING', ['SUCCEEDED', 'RUNNING', 'PENDING', 'SUCCEEDED']) as never)).toBe(50);
    render(<Exports tenantId="t1" version={0} />);
    const bar = await screen.findByRole('progressbar');
    expect(bar.getAttribute('aria-valuenow')).toBe('50');
    expect(screen.queryByRole('button', { name: 'Download' })).toBeNull();
    await waitFor(() => expect(bar.getAttribute('aria-valuenow')).toBe('100'), { timeout: 5000 });
    expect(screen.getByRole('button', { name: 'Download' })).toBeTruthy();
  });
});

describe('Erasure', () => {
  afterEach(() => vi.unstubAllGlobals());

  it("shows a deleted tenant's grace period and each service's erase as it answers", async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () =>
        json({
          tenantId: 't1',
          status: 'ERASING',
          deleteRequestedAt: '2026-12-01T00:00:00Z',
          eraseAfter: '2026-12-07T00:00:00Z',
          erasedAt: null,
          services: [
            { service: 'billing', state: 'ERASED', erasedAt: 'x' },
            { service: 'file', state: 'ERASING', erasedAt: null },
          ],
        }),
      ),
    );
    render(<Erasure tenant={{ id: 't1', status: 'ERASING' } as Tenant} version={0} />);
    const bar = await screen.findByRole('progressbar', { name: 'erasure' });
    expect(bar.getAttribute('aria-valuetext')).toBe('1 of 2 services erased');
  });

  it('is not there for a tenant that is not being deleted', () => {
    const { container } = render(<Erasure tenant={{ id: 't1', status: 'ACTIVE' } as Tenant} version={0} />);
    expect(container.innerHTML).toBe('');
  });
});
