import { useEffect, useState } from 'react';
import { api, Page } from '../api';
import { ProblemMessage } from '../components/ProblemMessage';

interface InvoiceLine {
  kind: string;
  description: string;
  quantity: number | string;
  unit: string;
  unitPrice: number | string;
  amount: number | string;
  eventIds: string[];
  note: string | null;
}

interface Invoice {
  id: string;
  period: string;
  status: string;
  currency: string;
  total: number | string;
  finalizedAt: string | null;
  lines: InvoiceLine[];
}

interface CurrentUsage {
  period: string;
  iterations: number;
  storageBytes: number;
  users: number;
  invoice: Invoice | null;
}

type InvoiceSummary = Omit<Invoice, 'lines'>;

/** The current period's usage and draft invoice, and past invoices, each line with its event ids. */
export function BillingView() {
  const [current, setCurrent] = useState<CurrentUsage | null>(null);
  const [invoices, setInvoices] = useState<InvoiceSummary[]>([]);
  const [open, setOpen] = useState<Invoice | null>(null);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    Promise.all([api<CurrentUsage>('/api/v1/usage/current'), api<Page<InvoiceSummary>>('/api/v1/invoices?size=24')])
      .then(([usage, page]) => {
        setCurrent(usage);
        setInvoices(page.items);
      })
      .catch(setError);
  }, []);

  async function show(id: string) {
    try {
      setOpen(await api<Invoice>(`/api/v1/invoices/${encodeURIComponent(id)}`));
    } catch (failure) {
      setError(failure);
    }
  }

  return (
    <section aria-labelledby="billing-heading">
      <h2 id="billing-heading">Usage and invoices</h2>
      <ProblemMessage error={error} />
      {current ? (
        <>
          <h3>This period ({current.period})</h3>
          <dl className="facts">
            <dt>Iterations</dt>
            <dd data-testid="usage-iterations">{current.iterations.toLocaleString('en')}</dd>
            <dt>Storage</dt>
            <dd>{(current.storageBytes / 1e6).toFixed(1)} MB</dd>
            <dt>Users</dt>
            <dd>{current.users}</dd>
          </dl>
          {current.invoice ? <InvoiceLines invoice={current.invoice} /> : null}
        </>
      ) : null}
      <h3>Invoices</h3>
      {invoices.length === 0 ? <p>No invoice yet.</p> : null}
      <ul className="jobs">
        {invoices.map((i) => (
          <li key={i.id} className="job-line">
            <span className="job-title">{i.period}</span>
            <span>{i.status}</span>
            <span>
              {String(i.total)} {i.currency}
            </span>
            <button type="button" className="link" onClick={() => void show(i.id)}>
              Lines of {i.period}
            </button>
          </li>
        ))}
      </ul>
      {open ? <InvoiceLines invoice={open} /> : null}
    </section>
  );
}

function InvoiceLines({ invoice }: { invoice: Invoice }) {
  return (
    <table aria-label={`Invoice ${invoice.period} (${invoice.status})`} className="invoice">
      <thead>
        <tr>
          <th scope="col">Line</th>
          <th scope="col">Quantity</th>
          <th scope="col">Price</th>
          <th scope="col">Amount</th>
          <th scope="col">Events</th>
        </tr>
      </thead>
      <tbody>
        {invoice.lines.map((line, n) => (
          <tr key={n}>
            <td data-label="Line">
              {line.description}
              {line.note ? <div className="job-when">{line.note}</div> : null}
            </td>
            <td data-label="Quantity">
              {String(line.quantity)} {line.unit}
            </td>
            <td data-label="Price">{String(line.unitPrice)}</td>
            <td data-label="Amount">
              {String(line.amount)} {invoice.currency}
            </td>
            <td data-label="Events">
              {line.eventIds.length > 0 ? (
                <details>
                  <summary>{line.eventIds.length} events</summary>
                  <ul className="event-ids">
                    {line.eventIds.map((id) => (
                      <li key={id}>
                        <code>{id}</code>
                      </li>
                    ))}
                  </ul>
                </details>
              ) : (
                '—'
              )}
            </td>
          </tr>
        ))}
      </tbody>
      <tfoot>
        <tr>
          <th scope="row" colSpan={3}>
            Total
          </th>
          <td colSpan={2}>
            {String(invoice.total)} {invoice.currency}
          </td>
        </tr>
      </tfoot>
    </table>
  );
}
