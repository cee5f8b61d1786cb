import { FormEvent, useEffect, useState } from 'react';
import { api, Page } from '../api';
import { ConfirmAction } from '../components/ConfirmAction';
import { ProblemMessage } from '../components/ProblemMessage';

const ROLES = ['READ_ONLY', 'USER', 'TENANT_ADMIN'];

interface User {
  id: string;
  email: string;
  name: string;
  role: string;
  createdAt: string;
}

interface MachineClient {
  clientId: string;
  name: string;
  roles: string[];
  createdAt: string;
}

/** A tenant admin's people and machines: invite, change role, remove; clients with their secret shown once. */
export function PeopleView({ tenantId }: { tenantId: string }) {
  const base = `/api/v1/tenants/${encodeURIComponent(tenantId)}`;
  const [users, setUsers] = useState<User[]>([]);
  const [clients, setClients] = useState<MachineClient[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [version, setVersion] = useState(0);
  const [invite, setInvite] = useState({ email: '', name: '', role: 'USER' });
  const [inviteError, setInviteError] = useState<unknown>(null);
  const [client, setClient] = useState({ name: '', role: 'USER' });
  const [clientError, setClientError] = useState<unknown>(null);
  const [secret, setSecret] = useState<{ clientId: string; clientSecret: string } | null>(null);
  const reload = () => setVersion((v) => v + 1);

  useEffect(() => {
    Promise.all([api<Page<User>>(`${base}/users?size=200`), api<Page<MachineClient>>(`${base}/clients?size=200`)])
      .then(([u, c]) => {
        setUsers(u.items);
        setClients(c.items);
        setError(null);
      })
      .catch(setError);
  }, [base, version]);

  async function sendInvite(event: FormEvent) {
    event.preventDefault();
    try {
      await api(`${base}/users`, { method: 'POST', body: invite });
      setInvite({ email: '', name: '', role: 'USER' });
      setInviteError(null);
      reload();
    } catch (failure) {
      setInviteError(failure);
    }
  }

  async function createClient(event: FormEvent) {
    event.preventDefault();
    try {
      const created = await api<{ client: MachineClient; clientSecret: string }>(`${base}/clients`, {
        method: 'POST',
        body: { name: client.name, roles: [client.role] },
      });
      setSecret({ clientId: created.client.clientId, clientSecret: created.clientSecret });
      setClient({ name: '', role: 'USER' });
      setClientError(null);
      reload();
    } catch (failure) {
      setClientError(failure);
    }
  }

  async function changeRole(user: User, role: string) {
    try {
      await api(`${base}/users/${encodeURIComponent(user.id)}`, { method: 'PATCH', body: { role } });
      setError(null);
      reload();
    } catch (failure) {
      setError(failure);
    }
  }

  return (
    <section aria-labelledby="people-heading">
      <h2 id="people-heading">Users and clients</h2>
      <ProblemMessage error={error} />
      <h3>Users</h3>
      <form className="row" onSubmit={sendInvite} aria-label="Invite a user">
        <label>
          E-mail
          <input type="email" required maxLength={254} value={invite.email} onChange={(e) => setInvite({ ...invite, email: e.target.value })} />
        </label>
        <label>
          Full name
          <input required maxLength={200} value={invite.name} onChange={(e) => setInvite({ ...invite, name: e.target.value })} />
        </label>
        <label>
          Role
          <select value={invite.role} onChange={(e) => setInvite({ ...invite, role: e.target.value })}>
            {ROLES.map((r) => (
              <option key={r}>{r}</option>
            ))}
          </select>
        </label>
        <button type="submit">Invite</button>
        <ProblemMessage error={inviteError} />
      </form>
      <table aria-label="Users">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">E-mail</th>
            <th scope="col">Role</th>
            <th scope="col">Action</th>
          </tr>
        </thead>
        <tbody>
          {users.map((u) => (
            <tr key={u.id}>
              <td data-label="Name">{u.name}</td>
              <td data-label="E-mail">{u.email}</td>
              <td data-label="Role">
                <select aria-label={`Role of ${u.email}`} value={u.role} onChange={(e) => void changeRole(u, e.target.value)}>
                  {ROLES.map((r) => (
                    <option key={r}>{r}</option>
                  ))}
                </select>
              </td>
              <td data-label="Action">
                <ConfirmAction
                  label={`Remove ${u.email}`}
                  question={`Remove ${u.email}? Their sign-in stops working.`}
                  action={async () => {
                    await api(`${base}/users/${encodeURIComponent(u.id)}`, { method: 'DELETE' });
                    reload();
                  }}
                />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3>Machine clients</h3>
      <form className="row" onSubmit={createClient} aria-label="Create a machine client">
        <label>
          Client name
          <input required maxLength={200} value={client.name} onChange={(e) => setClient({ ...client, name: e.target.value })} />
        </label>
        <label>
          Client role
          <select value={client.role} onChange={(e) => setClient({ ...client, role: e.target.value })}>
            {ROLES.map((r) => (
              <option key={r}>{r}</option>
            ))}
          </select>
        </label>
        <button type="submit">Create client</button>
        <ProblemMessage error={clientError} />
      </form>
      {secret ? (
        <div className="secret" role="status">
          <p>
            The secret of <code>{secret.clientId}</code> is shown this once; store it now.
          </p>
          <code data-testid="client-secret">{secret.clientSecret}</code>{' '}
          <button type="button" onClick={() => setSecret(null)}>
            I have stored it
          </button>
        </div>
      ) : null}
      <table aria-label="Machine clients">
        <thead>
          <tr>
            <th scope="col">Client id</th>
            <th scope="col">Name</th>
            <th scope="col">Roles</th>
            <th scope="col">Action</th>
          </tr>
        </thead>
        <tbody>
          {clients.map((c) => (
            <tr key={c.clientId}>
              <td data-label="Client id">
                <code>{c.clientId}</code>
              </td>
              <td data-label="Name">{c.name}</td>
              <td data-label="Roles">{c.roles.join(', ')}</td>
              <td data-label="Action">
                <ConfirmAction
                  label={`Delete ${c.clientId}`}
                  question={`Delete client ${c.clientId}? Its tokens stop being issued.`}
                  action={async () => {
                    await api(`${base}/clients/${encodeURIComponent(c.clientId)}`, { method: 'DELETE' });
                    reload();
                  }}
                />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
