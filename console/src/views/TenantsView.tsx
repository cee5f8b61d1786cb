import { FormEvent, useCallback, useEffect, useState } from 'react';
import { api, Page, Tenant } from '../api';
import { ProblemMessage } from '../components/ProblemMessage';

const PLANS = ['TRIAL', 'STANDARD', 'PROFESSIONAL', 'ENTERPRISE'];

const STATUSES = ['PROVISIONING', 'IMPORTING', 'ACTIVE', 'FAILED', 'SUSPENDED', 'PENDING_ERASE', 'ERASING', 'ERASED'];

const TIERS = ['SHARED', 'DEDICATED', 'ENTERPRISE'];

interface Filter {
  q: string;
  status: string;
  tier: string;
  region: string;
}

/** The listing's query: the page, and the filter's parts that are set. */
export function tenantsQuery(filter: Filter, page: number, size: number): string {
  const params = new URLSearchParams({ page: String(page), size: String(size) });
  for (const [key, value] of Object.entries(filter)) {
    if (value.trim() !== '') {
      params.set(key, value.trim());
    }
  }
  return `/api/v1/tenants?${params.toString()}`;
}

const PAGE_SIZE = 20;

/** Operators: the tenants, a page at a time, and a form that creates one. */
export function TenantsView({ onOpen }: { onOpen: (id: string) => void }) {
  const [page, setPage] = useState(0);
  const [tenants, setTenants] = useState<Tenant[]>([]);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [draft, setDraft] = useState<Filter>({ q: '', status: '', tier: '', region: '' });
  const [filter, setFilter] = useState<Filter>(draft);

  const load = useCallback(async () => {
    try {
      const result = await api<Page<Tenant>>(tenantsQuery(filter, page, PAGE_SIZE));
      setTenants(result.items);
      setLoadError(null);
    } catch (error) {
      setLoadError(error);
    }
  }, [filter, page]);

  function search(event: FormEvent) {
    event.preventDefault();
    setPage(0);
    setFilter(draft);
  }

  useEffect(() => {
    void load();
  }, [load]);

  return (
    <section aria-labelledby="tenants-heading">
      <h2 id="tenants-heading">Tenants</h2>
      <CreateTenant onCreated={onOpen} />
      <form className="filters" role="search" aria-label="Find tenants" onSubmit={search}>
        <label>
          Search
          <input
            value={draft.q}
            onChange={(e) => setDraft({ ...draft, q: e.target.value })}
            maxLength={100}
            placeholder="name or slug"
          />
        </label>
        <label>
          Status
          <select value={draft.status} onChange={(e) => setDraft({ ...draft, status: e.target.value })}>
            <option value="">any</option>
            {STATUSES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        <label>
          Tier
          <select value={draft.tier} onChange={(e) => setDraft({ ...draft, tier: e.target.value })}>
            <option value="">any</option>
            {TIERS.map((t) => (
              <option key={t}>{t}</option>
            ))}
          </select>
        </label>
        <label>
          In region
          <input value={draft.region} onChange={(e) => setDraft({ ...draft, region: e.target.value })} maxLength={32} />
        </label>
        <button type="submit">Find</button>
      </form>
      <ProblemMessage error={loadError} />
      <table className="tenants">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Slug</th>
            <th scope="col">Plan</th>
            <th scope="col">Region</th>
            <th scope="col">Status</th>
          </tr>
        </thead>
        <tbody>
          {tenants.map((t) => (
            <tr key={t.id}>
              <td data-label="Name">
                <button type="button" className="link" onClick={() => onOpen(t.id)}>
                  {t.name}
                </button>
              </td>
              <td data-label="Slug">{t.slug}</td>
              <td data-label="Plan">{t.plan}</td>
              <td data-label="Region">{t.region}</td>
              <td data-label="Status">
                <span className={`status status-${t.status.toLowerCase()}`}>{t.status}</span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <nav aria-label="Pages of tenants" className="pager">
        <button type="button" disabled={page === 0} onClick={() => setPage(page - 1)}>
          Previous
        </button>
        <span>Page {page + 1}</span>
        <button type="button" disabled={tenants.length < PAGE_SIZE} onClick={() => setPage(page + 1)}>
          Next
        </button>
      </nav>
    </section>
  );
}

function CreateTenant({ onCreated }: { onCreated: (id: string) => void }) {
  const [name, setName] = useState('');
  const [slug, setSlug] = useState('');
  const [plan, setPlan] = useState('STANDARD');
  const [region, setRegion] = useState('eu');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    try {
      const created = await api<Tenant>('/api/v1/tenants', { method: 'POST', body: { name, slug, plan, region } });
      setError(null);
      onCreated(created.id);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="create-tenant" onSubmit={submit} aria-label="Create a tenant">
      <label>
        Name
        <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={200} />
      </label>
      <label>
        Slug
        <input value={slug} onChange={(e) => setSlug(e.target.value)} required maxLength={63} />
      </label>
      <label>
        Plan
        <select value={plan} onChange={(e) => setPlan(e.target.value)}>
          {PLANS.map((p) => (
            <option key={p}>{p}</option>
          ))}
        </select>
      </label>
      <label>
        Region
        <input value={region} onChange={(e) => setRegion(e.target.value)} required maxLength={32} />
      </label>
      <button type="submit" disabled={busy}>
        Create tenant
      </button>
      <ProblemMessage error={error} />
    </form>
  );
}
