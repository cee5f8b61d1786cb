import { useEffect, useState } from 'react';
import { completeSignIn, Session, session as currentSession, signIn, signOut } from './auth';
import { ProblemMessage } from './components/ProblemMessage';
import { TenantsView } from './views/TenantsView';
import { TenantView } from './views/TenantView';

/** The console: signs in, then shows operators the fleet and tenants their own tenant. */
export function App() {
  const [session, setSession] = useState<Session | null>(currentSession());
  const [error, setError] = useState<unknown>(null);
  const [checking, setChecking] = useState(true);
  const [openTenant, setOpenTenant] = useState<string | null>(null);

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

  return (
    <div className="app">
      <header className="top">
        <h1>Tierflow</h1>
        {session ? (
          <div className="who">
            <span data-testid="signed-in-as">
              {session.subject} ({session.roles.join(', ')})
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
          openTenant ? (
            <TenantView id={openTenant} onBack={() => setOpenTenant(null)} operator />
          ) : (
            <TenantsView onOpen={setOpenTenant} />
          )
        ) : null}
        {session && !operator && session.tenantId ? <TenantView id={session.tenantId} /> : null}
      </main>
    </div>
  );
}
