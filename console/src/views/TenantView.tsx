import { useEffect, useState } from 'react';
import { api, Tenant } from '../api';
import { ConfirmAction } from '../components/ConfirmAction';
import { ProblemMessage } from '../components/ProblemMessage';

/** While a tenant is on its way somewhere, how often it is read again. */
const POLL_MS = 1500;

const SETTLED = new Set(['ACTIVE', 'SUSPENDED', 'FAILED', 'ERASED']);

/**
 * One tenant: its plan and status, and its placement in every service; for operators, the
 * lifecycle actions its status allows, each confirmed first.
 */
export function TenantView({ id, onBack, operator = false }: { id: string; onBack?: () => void; operator?: boolean }) {
  const [tenant, setTenant] = useState<Tenant | null>(null);
  const [error, setError] = useState<unknown>(null);
  const path = `/api/v1/tenants/${encodeURIComponent(id)}`;

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    async function read() {
      try {
        const t = await api<Tenant>(path);
        if (stopped) {
          return;
        }
        setTenant(t);
        setError(null);
        if (!SETTLED.has(t.status)) {
          timer = setTimeout(read, POLL_MS);
        }
      } catch (failure) {
        if (!stopped) {
          setError(failure);
        }
      }
    }
    void read();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [path]);

  return (
    <section aria-labelledby="tenant-heading">
      {onBack ? (
        <button type="button" className="link" onClick={onBack}>
          ← All tenants
        </button>
      ) : null}
      <ProblemMessage error={error} />
      {tenant ? (
        <>
          <h2 id="tenant-heading">{tenant.name}</h2>
          <dl className="facts">
            <dt>Status</dt>
            <dd>
              <span className={`status status-${tenant.status.toLowerCase()}`} data-testid="tenant-status">
                {tenant.status}
              </span>
              {tenant.statusReason ? <span> — {tenant.statusReason}</span> : null}
            </dd>
            <dt>Plan</dt>
            <dd>
              {tenant.plan} ({tenant.tier})
            </dd>
            <dt>Region</dt>
            <dd>{tenant.region}</dd>
            <dt>Slug</dt>
            <dd>{tenant.slug}</dd>
          </dl>
          {operator && tenant.status === 'ACTIVE' ? (
            <ConfirmAction
              label="Suspend"
              question={`Suspend ${tenant.name}? Its users and clients are refused until it is reactivated.`}
              action={async () => setTenant(await api<Tenant>(`${path}/suspend`, { method: 'POST' }))}
            />
          ) : null}
          {operator && tenant.status === 'SUSPENDED' ? (
            <ConfirmAction
              label="Reactivate"
              question={`Reactivate ${tenant.name}?`}
              action={async () => setTenant(await api<Tenant>(`${path}/reactivate`, { method: 'POST' }))}
            />
          ) : null}
          <h3>Placements</h3>
          <table className="placements">
            <thead>
              <tr>
                <th scope="col">Service</th>
                <th scope="col">State</th>
                <th scope="col">Isolation</th>
                <th scope="col">Cluster</th>
                <th scope="col">Store</th>
              </tr>
            </thead>
            <tbody>
              {tenant.placements.map((p) => (
                <tr key={p.service} data-testid={`placement-${p.service}`}>
                  <td>{p.service}</td>
                  <td>{p.state}</td>
                  <td>{p.isolation ?? '—'}</td>
                  <td>{p.cluster ?? '—'}</td>
                  <td>{[p.database, p.schema].filter(Boolean).join(' / ') || '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : (
        <h2 id="tenant-heading">Tenant</h2>
      )}
    </section>
  );
}
