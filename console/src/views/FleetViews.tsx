import { FormEvent, useState } from 'react';
import { api } from '../api';
import { ConfirmAction } from '../components/ConfirmAction';
import { ProblemMessage } from '../components/ProblemMessage';
import { ProgressBar } from '../components/ProgressBar';
import { usePoll } from '../hooks/usePoll';

/** The tenant-data services, each with its own clusters and placement policy. */
export const SERVICES = ['simulation', 'file', 'billing', 'analytics'];

/** A service's own admin API, through the gateway. */
export const serviceAdmin = (service: string, path: string) =>
  `/api/v1/admin/services/${encodeURIComponent(service)}/${path}`;

export interface Cluster {
  name: string;
  role: string;
  region: string;
  capacity: number;
  tenants: number;
  fill: number;
  highWaterMark: number;
  aboveHighWaterMark: boolean;
  state: 'ACTIVE' | 'UNHEALTHY' | 'DRAINING' | 'DRAINED';
  source: string;
  reason: string | null;
}

/** Clusters of every service: how full each is against its capacity, its health; drain. */
export function ClustersView() {
  return (
    <section aria-labelledby="clusters-heading">
      <h2 id="clusters-heading">Clusters</h2>
      {SERVICES.map((service) => (
        <ServiceClusters key={service} service={service} />
      ))}
    </section>
  );
}

function ServiceClusters({ service }: { service: string }) {
  const [version, setVersion] = useState(0);
  const { value, error } = usePoll<Cluster[]>(
    serviceAdmin(service, 'clusters'),
    (clusters) => clusters.some((c) => c.state === 'DRAINING'),
    2000,
    version,
  );
  return (
    <div className="service-block">
      <h3>{service}</h3>
      <ProblemMessage error={error} />
      <table className="clusters" aria-label={`${service} clusters`}>
        <thead>
          <tr>
            <th scope="col">Cluster</th>
            <th scope="col">Role</th>
            <th scope="col">Region</th>
            <th scope="col">Tenants</th>
            <th scope="col">State</th>
            <th scope="col">Action</th>
          </tr>
        </thead>
        <tbody>
          {(value ?? []).map((c) => (
            <tr key={c.name} data-testid={`cluster-${service}-${c.name}`}>
              <td data-label="Cluster">{c.name}</td>
              <td data-label="Role">{c.role}</td>
              <td data-label="Region">{c.region}</td>
              <td data-label="Tenants">
                <ProgressBar
                  label={`${service} ${c.name} fill`}
                  value={c.tenants}
                  max={c.capacity}
                  text={`${c.tenants} / ${c.capacity}${c.aboveHighWaterMark ? ' (above its mark)' : ''}`}
                />
              </td>
              <td data-label="State">
                <span className={`status status-${c.state.toLowerCase()}`}>{c.state}</span>
                {c.reason ? <span className="job-when"> {c.reason}</span> : null}
              </td>
              <td data-label="Action">
                {c.state === 'ACTIVE' || c.state === 'UNHEALTHY' ? (
                  <ConfirmAction
                    label={`Drain ${c.name}`}
                    question={`Move every ${service} tenant off ${c.name}? Nothing new is placed on it from now on.`}
                    action={async () => {
                      await api(serviceAdmin(service, `clusters/${encodeURIComponent(c.name)}/drain`), {
                        method: 'POST',
                      });
                      setVersion((v) => v + 1);
                    }}
                  />
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export interface Recommendation {
  tenantId: string;
  plan: string;
  cluster: string | null;
  advice: { current: string; target: string; actionable: boolean; reasons: string[]; coolingUntil: string | null };
  figures: { rows: number | null; bytes: number | null; p95Millis: number | null; writesPerSecond: number | null } | null;
  openDecision: string | null;
}

const fmt = new Intl.NumberFormat('en', { maximumFractionDigits: 1 });

/** What each service's placement policy would change, with the numbers behind it; approve. */
export function RecommendationsView() {
  return (
    <section aria-labelledby="recommendations-heading">
      <h2 id="recommendations-heading">Placement recommendations</h2>
      {SERVICES.map((service) => (
        <ServiceRecommendations key={service} service={service} />
      ))}
    </section>
  );
}

function ServiceRecommendations({ service }: { service: string }) {
  const [version, setVersion] = useState(0);
  const { value, error } = usePoll<Recommendation[]>(
    serviceAdmin(service, 'placement/recommendations'),
    () => false,
    0,
    version,
  );
  const items = value ?? [];
  return (
    <div className="service-block">
      <h3>{service}</h3>
      <ProblemMessage error={error} />
      {value && items.length === 0 ? <p>Every tenant is placed as the policy wants.</p> : null}
      {items.length > 0 ? (
        <table aria-label={`${service} recommendations`}>
          <thead>
            <tr>
              <th scope="col">Tenant</th>
              <th scope="col">Move</th>
              <th scope="col">Why</th>
              <th scope="col">Figures</th>
              <th scope="col">Action</th>
            </tr>
          </thead>
          <tbody>
            {items.map((r) => (
              <tr key={r.tenantId}>
                <td data-label="Tenant" className="checksum">{r.tenantId}</td>
                <td data-label="Move">
                  {r.advice.current} → {r.advice.target}
                </td>
                <td data-label="Why">{r.advice.reasons.join('; ')}</td>
                <td data-label="Figures">
                  {r.figures
                    ? [
                        r.figures.rows !== null ? `${fmt.format(r.figures.rows)} rows` : null,
                        r.figures.bytes !== null ? `${fmt.format(r.figures.bytes / 1e6)} MB` : null,
                        r.figures.p95Millis !== null ? `p95 ${fmt.format(r.figures.p95Millis)} ms` : null,
                        r.figures.writesPerSecond !== null ? `${fmt.format(r.figures.writesPerSecond)} writes/s` : null,
                      ]
                        .filter(Boolean)
                        .join(', ')
                    : '—'}
                </td>
                <td data-label="Action">
                  {r.openDecision ? (
                    'approved'
                  ) : r.advice.actionable ? (
                    <ConfirmAction
                      label="Approve"
                      question={`Move tenant ${r.tenantId} in ${service} to ${r.advice.target}?`}
                      action={async () => {
                        await api(serviceAdmin(service, `placement/recommendations/${encodeURIComponent(r.tenantId)}/approve`), {
                          method: 'POST',
                        });
                        setVersion((v) => v + 1);
                      }}
                    />
                  ) : (
                    r.advice.coolingUntil ? `cooling until ${new Date(r.advice.coolingUntil).toUTCString()}` : '—'
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </div>
  );
}

interface AuditRecord {
  id: string;
  tenantId: string | null;
  seq: number;
  occurredAt: string;
  action: string;
  target: { type: string; id: string | null } | null;
  actor: { subject: string; tenantId: string | null; clientId: string | null };
  outcome: string;
  status: number | null;
}

interface AuditPage {
  items: AuditRecord[];
  next: string | null;
}

/** The audit trail, newest first, filtered by tenant, action or who did it; a page at a time. */
export function AuditView() {
  const [draft, setDraft] = useState({ tenantId: '', action: '', subject: '' });
  const [query, setQuery] = useState(draft);
  const [cursors, setCursors] = useState<string[]>([]);
  const params = new URLSearchParams({ limit: '50' });
  for (const [key, value] of Object.entries(query)) {
    if (value.trim()) {
      params.set(key, value.trim());
    }
  }
  if (cursors.length > 0) {
    params.set('cursor', cursors[cursors.length - 1]);
  }
  const { value, error } = usePoll<AuditPage>(`/api/v1/audit?${params.toString()}`, () => false, 0);

  function search(event: FormEvent) {
    event.preventDefault();
    setCursors([]);
    setQuery(draft);
  }

  return (
    <section aria-labelledby="audit-heading">
      <h2 id="audit-heading">Audit trail</h2>
      <form className="filters" role="search" aria-label="Filter the audit trail" onSubmit={search}>
        <label>
          Tenant id
          <input value={draft.tenantId} maxLength={36} onChange={(e) => setDraft({ ...draft, tenantId: e.target.value })} />
        </label>
        <label>
          Action
          <input value={draft.action} maxLength={100} onChange={(e) => setDraft({ ...draft, action: e.target.value })} />
        </label>
        <label>
          By
          <input value={draft.subject} maxLength={200} onChange={(e) => setDraft({ ...draft, subject: e.target.value })} />
        </label>
        <button type="submit">Filter</button>
      </form>
      <ProblemMessage error={error} />
      <table aria-label="Audit records">
        <thead>
          <tr>
            <th scope="col">When (UTC)</th>
            <th scope="col">Action</th>
            <th scope="col">Target</th>
            <th scope="col">By</th>
            <th scope="col">Outcome</th>
          </tr>
        </thead>
        <tbody>
          {(value?.items ?? []).map((r) => (
            <tr key={r.id}>
              <td data-label="When (UTC)">{r.occurredAt.replace('T', ' ').slice(0, 19)}</td>
              <td data-label="Action">{r.action}</td>
              <td data-label="Target">{r.target ? `${r.target.type} ${r.target.id ?? ''}` : '—'}</td>
              <td data-label="By">{r.actor.subject}</td>
              <td data-label="Outcome">
                {r.outcome}
                {r.status ? ` (${r.status})` : ''}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <nav aria-label="Pages of the audit trail" className="pager">
        <button type="button" disabled={cursors.length === 0} onClick={() => setCursors(cursors.slice(0, -1))}>
          Newer
        </button>
        <button type="button" disabled={!value?.next} onClick={() => value?.next && setCursors([...cursors, value.next])}>
          Older
        </button>
      </nav>
    </section>
  );
}
