import { useState } from 'react';
import { download, ErasureCertificate, Page, Tenant, TenantExport, TierChange } from '../api';
import { MoveBars } from '../components/MoveBars';
import { ProblemMessage } from '../components/ProblemMessage';
import { ProgressBar } from '../components/ProgressBar';
import { usePoll } from '../hooks/usePoll';

/** How often open jobs (moves, exports, erases) are read again. */
export const JOB_POLL_MS = 1000;

const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString('en-GB', { timeZone: 'UTC' }) + ' UTC' : '—');

const isOpen = (change: TierChange) => change.status === 'REQUESTED' || change.status === 'ROLLING_BACK';

/**
 * The tenant's tier changes and rebalances, newest first: the newest shown with one live
 * bar per service while it runs and its checksums once it ended; older ones as a list,
 * each opening to its bars.
 */
export function TierChanges({ tenantId, version }: { tenantId: string; version: number }) {
  const path = `/api/v1/tenants/${encodeURIComponent(tenantId)}/tier-changes?size=20`;
  const { value, error } = usePoll<Page<TierChange>>(
    path,
    (page) => page.items.length > 0 && isOpen(page.items[0]),
    JOB_POLL_MS,
    version,
  );
  const [opened, setOpened] = useState<string | null>(null);
  const changes = value?.items ?? [];
  return (
    <section aria-labelledby="tier-changes-heading" className="history">
      <h3 id="tier-changes-heading">Tier changes</h3>
      <ProblemMessage error={error} />
      {changes.length === 0 && value ? <p>No tier change yet.</p> : null}
      <ul className="jobs">
        {changes.map((change, i) => {
          const shown = i === 0 || opened === change.id;
          return (
            <li key={change.id}>
              <div className="job-line">
                <span className="job-title">
                  {change.kind === 'REBALANCE' ? 'Rebalance' : `${change.fromPlan} → ${change.toPlan}`} ({change.fromTier} →{' '}
                  {change.toTier})
                </span>
                <span className={`status status-${change.status.toLowerCase()}`} data-testid="tier-change-status">
                  {change.status}
                </span>
                <span className="job-when">
                  {when(change.requestedAt)} by {change.requestedBy}
                </span>
                {i > 0 ? (
                  <button
                    type="button"
                    className="link"
                    aria-expanded={shown}
                    onClick={() => setOpened(shown ? null : change.id)}
                  >
                    {shown ? 'Hide moves' : 'Show moves'}
                  </button>
                ) : null}
              </div>
              {change.reason ? <p className="move-reason">{change.reason}</p> : null}
              {shown ? <MoveBars change={change} /> : null}
            </li>
          );
        })}
      </ul>
    </section>
  );
}

const bytes = new Intl.NumberFormat('en', { style: 'unit', unit: 'kilobyte', maximumFractionDigits: 1 });

/** Parts written of an export, as its bar: each service writes one. */
export function exportPercent(e: TenantExport): number {
  if (e.status === 'COMPLETED') {
    return 100;
  }
  if (e.services.length === 0) {
    return 0;
  }
  return Math.round((100 * e.services.filter((p) => p.status === 'SUCCEEDED').length) / e.services.length);
}

/** The tenant's exports, newest first, with progress while written and the download once done. */
export function Exports({ tenantId, version }: { tenantId: string; version: number }) {
  const path = `/api/v1/tenants/${encodeURIComponent(tenantId)}/exports?size=10`;
  const { value, error } = usePoll<Page<TenantExport>>(
    path,
    (page) => page.items.some((e) => e.status === 'RUNNING'),
    JOB_POLL_MS,
    version,
  );
  const [downloadError, setDownloadError] = useState<unknown>(null);

  async function save(e: TenantExport) {
    try {
      const blob = await download(
        `/api/v1/tenants/${encodeURIComponent(tenantId)}/exports/${encodeURIComponent(e.id)}/archive`,
      );
      const url = URL.createObjectURL(blob);
      const link = document.createElement('a');
      link.href = url;
      link.download = `tierflow-tenant-${tenantId}-export-${e.id}.zip`;
      link.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      setDownloadError(null);
    } catch (failure) {
      setDownloadError(failure);
    }
  }

  const exports = value?.items ?? [];
  return (
    <section aria-labelledby="exports-heading" className="history">
      <h3 id="exports-heading">Exports</h3>
      <ProblemMessage error={error} />
      {exports.length === 0 && value ? <p>No export yet.</p> : null}
      <ul className="jobs">
        {exports.map((e) => (
          <li key={e.id} data-testid={`export-${e.id}`}>
            <div className="job-line">
              <span className="job-title">Export {when(e.requestedAt)}</span>
              <span className={`status status-${e.status.toLowerCase()}`} data-testid="export-status">
                {e.status}
              </span>
              <ProgressBar
                label={`export of ${when(e.requestedAt)}`}
                value={exportPercent(e)}
                text={`${exportPercent(e)} % · ${e.rowsWritten} rows · ${bytes.format(e.bytesWritten / 1000)}`}
              />
              {e.status === 'COMPLETED' ? (
                <button type="button" onClick={() => void save(e)}>
                  Download
                </button>
              ) : null}
            </div>
            {e.reason ? <p className="move-reason">{e.reason}</p> : null}
          </li>
        ))}
      </ul>
      <ProblemMessage error={downloadError} />
    </section>
  );
}

const ERASE_STATES = new Set(['PENDING_ERASE', 'ERASING', 'ERASED']);

/** A deleted tenant's erase: its grace period, then every service's part as it answers. */
export function Erasure({ tenant, version }: { tenant: Tenant; version: number }) {
  const path = ERASE_STATES.has(tenant.status) ? `/api/v1/tenants/${encodeURIComponent(tenant.id)}/erasure` : null;
  const { value, error } = usePoll<ErasureCertificate>(path, (c) => c.status !== 'ERASED', JOB_POLL_MS * 2, version);
  if (!path) {
    return null;
  }
  const services = value?.services ?? [];
  const erased = services.filter((s) => s.state === 'ERASED').length;
  return (
    <section aria-labelledby="erasure-heading" className="history">
      <h3 id="erasure-heading">Erasure</h3>
      <ProblemMessage error={error} />
      {value ? (
        <>
          <p>
            Deletion requested {when(value.deleteRequestedAt)}; erased after {when(value.eraseAfter)}
            {value.erasedAt ? `; erased ${when(value.erasedAt)}` : ''}.
          </p>
          <ProgressBar
            label="erasure"
            value={services.length ? (100 * erased) / services.length : 0}
            text={`${erased} of ${services.length} services erased`}
          />
        </>
      ) : null}
    </section>
  );
}
