import { useEffect, useState } from 'react';
import { completeSignIn, Session, session as currentSession, signIn, signOut } from './auth';
import { ProblemMessage } from './components/ProblemMessage';
import { TenantsView } from './views/TenantsView';
import { TenantView } from './views/TenantView';
import { AuditView, ClustersView, RecommendationsView } from './views/FleetViews';
import { BillingView } from './views/BillingView';
import { FilesView } from './views/FilesView';
import { KpisView } from './views/KpisView';
import { ModelsView } from './views/ModelsView';
import { PeopleView } from './views/PeopleView';

const OPERATOR_VIEWS = ['Tenants', 'Clusters', 'Recommendations', 'Audit', 'KPIs'] as const;
type OperatorView = (typeof OPERATOR_VIEWS)[number];

/** What a tenant's user may open: the views their roles' permissions reach. */
export function tenantViews(roles: string[]): string[] {
  const views = ['Tenant', 'Models', 'Files', 'Usage'];
  if (roles.includes('TENANT_ADMIN')) {
    views.push('People');
  }
  return views;
}

/** The console: signs in, then shows operators the fleet and tenants their own tenant. */
export function App() {
  const [session, setSession] = useState<Session | null>(currentSession());
  const [error, setError] = useState<unknown>(null);
  const [checking, setChecking] = useState(true);
  const [openTenant, setOpenTenant] = useState<string | null>(null);
  const [view, setView] = useState<OperatorView>('Tenants');
  const [tenantView, setTenantView] = useState('Tenant');

  useEffect(() => {
    completeSignIn(window.location.search)
      .then((s) => {
        if (s) {
          setSession(s);
        }
      })
      .catch(setError)
      .finally(() => setChecking(false));
  }, []);

  const operator = session?.roles.includes('SYSTEM_ADMIN') ?? false;
  const roles = session?.roles ?? [];
  const writer = roles.includes('USER') || roles.includes('TENANT_ADMIN');
  const tenantAdmin = roles.includes('TENANT_ADMIN');

  return (
    <div className="app">
      <header className="top">
        <h1>Tierflow</h1>
        {session ? (
          <div className="who">
            <span data-testid="signed-in-as">
              {session.name} ({session.roles.join(', ')})
            </span>
            <button type="button" onClick={() => void signOut().then(() => setSession(null))}>
              Sign out
            </button>
          </div>
        ) : null}
      </header>
      <main>
        <ProblemMessage error={error} />
        {!session && !checking ? (
          <section className="sign-in">
            <p>Sign in with your Tierflow account.</p>
            <button type="button" onClick={() => void signIn()}>
              Sign in
            </button>
          </section>
        ) : null}
        {session && operator ? (
          <nav aria-label="Console" className="views">
            {OPERATOR_VIEWS.map((v) => (
              <button
                type="button"
                key={v}
                aria-current={view === v ? 'page' : undefined}
                onClick={() => {
                  setView(v);
                  setOpenTenant(null);
                }}
              >
                {v}
              </button>
            ))}
          </nav>
        ) : null}
        {session && operator && view === 'Tenants' ? (
          openTenant ? (
            <TenantView id={openTenant} onBack={() => setOpenTenant(null)} operator />
          ) : (
            <TenantsView onOpen={setOpenTenant} />
          )
        ) : null}
        {session && operator && view === 'Clusters' ? <ClustersView /> : null}
        {session && operator && view === 'Recommendations' ? <RecommendationsView /> : null}
        {session && operator && view === 'Audit' ? <AuditView /> : null}
        {session && operator && view === 'KPIs' ? <KpisView /> : null}
        {session && !operator && session.tenantId ? (
          <>
            <nav aria-label="Console" className="views">
              {tenantViews(roles).map((v) => (
                <button type="button" key={v} aria-current={tenantView === v ? 'page' : undefined} onClick={() => setTenantView(v)}>
                  {v}
                </button>
              ))}
            </nav>
            {tenantView === 'Tenant' ? <TenantView id={session.tenantId} tenantAdmin={tenantAdmin} /> : null}
            {tenantView === 'Models' ? <ModelsView canWrite={writer} /> : null}
            {tenantView === 'Files' ? <FilesView canWrite={writer} canDelete={writer} /> : null}
            {tenantView === 'Usage' ? <BillingView /> : null}
            {tenantView === 'People' && tenantAdmin ? <PeopleView tenantId={session.tenantId} /> : null}
          </>
        ) : null}
      </main>
    </div>
  );
}
