import { fireEvent, render, screen, within } from '@testing-library/react';
import { BillingView } from './BillingView';

const json = (body: unknown) => new Response(JSON.stringify(body), { status: 200, headers: { 'Content-Type': 'application/json' } });

const line = { kind: 'ITERATIONS', description: 'Simulation iterations', quantity: 2, unit: 'M', unitPrice: '0.50', amount: '1.00', eventIds: ['e-1', 'e-2'], note: null };

describe('BillingView', () => {
  afterEach(() => vi.unstubAllGlobals());

  it("shows the period's usage, its draft invoice and a past invoice's lines with their event ids", async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string) => {
        if (url.includes('/usage/current')) {
          return json({
            period: '2026-12',
            iterations: 2_000_000,
            storageBytes: 5e6,
            users: 3,
            invoice: { id: 'd', period: '2026-12', status: 'DRAFT', currency: 'EUR', total: '1.00', finalizedAt: null, lines: [line] },
          });
        }
        if (url.endsWith('/invoices/i-11')) {
          return json({ id: 'i-11', period: '2026-11', status: 'FINALIZED', currency: 'EUR', total: '3.00', finalizedAt: 'x', lines: [{ ...line, eventIds: ['e-9'] }] });
        }
        return json({ items: [{ id: 'i-11', period: '2026-11', status: 'FINALIZED', currency: 'EUR', total: '3.00', finalizedAt: 'x' }] });
      }),
    );
    render(<BillingView />);
    expect((await screen.findByTestId('usage-iterations')).textContent).toBe('2,000,000');
    const draft = screen.getByRole('table', { name: 'Invoice 2026-12 (DRAFT)' });
    expect(within(draft).getByText('e-1')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Lines of 2026-11' }));
    const past = await screen.findByRole('table', { name: 'Invoice 2026-11 (FINALIZED)' });
    expect(within(past).getByText('e-9')).toBeTruthy();
  });
});
