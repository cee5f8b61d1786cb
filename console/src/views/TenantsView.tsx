import { FormEvent, useCallback, useEffect, useState } from 'react';
import { api, Page, Tenant } from '../api';
import { ProblemMessage } from '../components/ProblemMessage';

const PLANS = ['TRIAL', 'STANDARD', 'PROFESSIONAL', 'ENTERPRISE'];

const PAGE_SIZE = 20;

/** Operators: the tenants, a page at a time, and a form that creates one. */
export function TenantsView({ onOpen }: { onOpen: (id: string) => void }) {
  const [page, setPage] = useState(0);
  const [tenants, setTenants] = useState<Tenant[]>([]);
  const [loadError, setLoadError] = useState<unknown>(null);

  const load = useCallback(async () => {
    try {
      const result = await api<Page<Tenant>>(`/api/v1/tenants?page=${page}&size=${PAGE_SIZE}`);
      setTenants(result.items);
      setLoadError(null);
    } catch (error) {
      setLoadError(error);
    }
  }, [page]);

  useEffect(() => {
    void load();
  }, [load]);

  return (
    <section aria-labelledby="tenants-heading">
      <h2 id="tenants-heading">Tenants</h2>
      <CreateTenant onCreated={onOpen} />
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
              <td>
                <button type="button" className="link" onClick={() => onOpen(t.id)}>
                  {t.name}
                </button>
              </td>
              <td>{t.slug}</td>
              <td>{t.plan}</td>
              <td>{t.region}</td>
              <td>
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
