import { useState } from 'react';
import { api, Tenant } from '../api';
import { ConfirmAction } from '../components/ConfirmAction';
import { ProblemMessage } from '../components/ProblemMessage';
import { usePoll } from '../hooks/usePoll';
import { Erasure, Exports, TierChanges } from './TenantHistory';

const PLANS = ['TRIAL', 'STANDARD', 'PROFESSIONAL', 'ENTERPRISE'];

const EXPORTABLE = new Set(['ACTIVE', 'SUSPENDED', 'PENDING_ERASE']);

/** While a tenant is on its way somewhere, how often it is read again. */
const POLL_MS = 1500;

const SETTLED = new Set(['ACTIVE', 'SUSPENDED', 'FAILED', 'ERASED']);

/**
 * One tenant: its plan and status, and its placement in every service; for operators, the
 * lifecycle actions its status allows, each confirmed first; the history of its tier
 * changes, exports and erase, with live bars while they run.
 */
export function TenantView({
  id,
  onBack,
  operator = false,
  tenantAdmin = false,
}: {
  id: string;
  onBack?: () => void;
  operator?: boolean;
  tenantAdmin?: boolean;
}) {
  // Bumped by each action: the tenant and its history are read again.
  const [version, setVersion] = useState(0);
  const path = `/api/v1/tenants/${encodeURIComponent(id)}`;
  const canExport = operator || tenantAdmin;
  const { value: tenant, error } = usePoll<Tenant>(
    path,
    (t) => !SETTLED.has(t.status) || Boolean(t.pendingTierChange),
    POLL_MS,
    version,
  );

  function acted() {
    setVersion((v) => v + 1);
  }

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
          {tenant.eraseAfter && tenant.status === 'PENDING_ERASE' ? (
            <p data-testid="erase-after">Erased after {new Date(tenant.eraseAfter).toUTCString()} unless restored.</p>
          ) : null}
          <div className="actions">
            {operator && tenant.status === 'ACTIVE' && !tenant.pendingTierChange ? (
              <ChangePlan tenant={tenant} path={path} onChanged={acted} />
            ) : null}
            {operator && tenant.status === 'ACTIVE' && !tenant.pendingTierChange ? (
              <ConfirmAction
                label="Rebalance"
                question={`Move ${tenant.name} to other clusters of its tier, in every service, live?`}
                action={async () => {
                  await api(`${path}/rebalance`, { method: 'POST' });
                  acted();
                }}
              />
            ) : null}
            {operator && tenant.status === 'ACTIVE' ? (
              <ConfirmAction
                label="Suspend"
                question={`Suspend ${tenant.name}? Its users and clients are refused until it is reactivated.`}
                action={async () => {
                  await api(`${path}/suspend`, { method: 'POST' });
                  acted();
                }}
              />
            ) : null}
            {operator && tenant.status === 'SUSPENDED' ? (
              <ConfirmAction
                label="Reactivate"
                question={`Reactivate ${tenant.name}?`}
                action={async () => {
                  await api(`${path}/reactivate`, { method: 'POST' });
                  acted();
                }}
              />
            ) : null}
            {canExport && EXPORTABLE.has(tenant.status) ? (
              <ConfirmAction
                label="Export"
                question={`Export every service's data of ${tenant.name} into one archive?`}
                action={async () => {
                  await api(`${path}/exports`, { method: 'POST' });
                  acted();
                }}
              />
            ) : null}
            {operator && (tenant.status === 'ACTIVE' || tenant.status === 'SUSPENDED') ? (
              <ConfirmAction
                label="Delete"
                question={`Delete ${tenant.name}? It is erased in every service once the grace period ends, unless restored before.`}
                action={async () => {
                  await api(path, { method: 'DELETE' });
                  acted();
                }}
              />
            ) : null}
            {operator && tenant.status === 'PENDING_ERASE' ? (
              <ConfirmAction
                label="Restore"
                question={`Restore ${tenant.name}? The deletion is called off.`}
                action={async () => {
                  await api(`${path}/restore-deletion`, { method: 'POST' });
                  acted();
                }}
              />
            ) : null}
          </div>
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
                  <td data-label="Service">{p.service}</td>
                  <td data-label="State">{p.state}</td>
                  <td data-label="Isolation">{p.isolation ?? '—'}</td>
                  <td data-label="Cluster">{p.cluster ?? '—'}</td>
                  <td data-label="Store">{[p.database, p.schema].filter(Boolean).join(' / ') || '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <TierChanges tenantId={tenant.id} version={version} />
          {canExport ? <Exports tenantId={tenant.id} version={version} /> : null}
          {operator ? <Erasure tenant={tenant} version={version} /> : null}
        </>
      ) : (
        <h2 id="tenant-heading">Tenant</h2>
      )}
    </section>
  );
}

/** Another plan for the tenant: the services move it to the plan's tier, live. */
function ChangePlan({ tenant, path, onChanged }: { tenant: Tenant; path: string; onChanged: () => void }) {
  const others = PLANS.filter((p) => p !== tenant.plan);
  const [plan, setPlan] = useState(others[0]);
  return (
    <div className="change-plan">
      <label>
        New plan
        <select value={plan} onChange={(e) => setPlan(e.target.value)}>
          {others.map((p) => (
            <option key={p}>{p}</option>
          ))}
        </select>
      </label>
      <ConfirmAction
        label="Change plan"
        question={`Move ${tenant.name} from ${tenant.plan} to ${plan}? Every service copies its data live; writes pause for milliseconds at each cutover.`}
        action={async () => {
          await api(`${path}/tier-change`, { method: 'POST', body: { plan } });
          onChanged();
        }}
      />
    </div>
  );
}
