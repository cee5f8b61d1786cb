import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { PeopleView } from './PeopleView';

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

describe('PeopleView', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('invites a user, changes a role, and shows a new client its secret once', async () => {
    const calls: string[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string, init?: RequestInit) => {
        calls.push(`${init?.method ?? 'GET'} ${url} ${init?.body ?? ''}`.trim());
        if (url.endsWith('/clients') && init?.method === 'POST') {
          return json({ client: { clientId: 'tf-abc', name: 'ci', roles: ['USER'], createdAt: 'x' }, clientSecret: 's3cret' }, 201);
        }
        if (init?.method && init.method !== 'GET') {
          return json({}, 201);
        }
        return url.includes('/users')
          ? json({ items: [{ id: 'u1', email: 'bob@example.com', name: 'Bob', role: 'USER', createdAt: 'x' }] })
          : json({ items: [] });
      }),
    );
    render(<PeopleView tenantId="t1" />);
    fireEvent.change(await screen.findByLabelText('Role of bob@example.com'), { target: { value: 'READ_ONLY' } });
    await waitFor(() => expect(calls).toContain('PATCH /api/v1/tenants/t1/users/u1 {"role":"READ_ONLY"}'));

    fireEvent.change(screen.getByLabelText('E-mail'), { target: { value: 'carol@example.com' } });
    fireEvent.change(screen.getByLabelText('Full name'), { target: { value: 'Carol' } });
    fireEvent.click(screen.getByRole('button', { name: 'Invite' }));
    await waitFor(() =>
      expect(calls).toContain('POST /api/v1/tenants/t1/users {"email":"carol@example.com","name":"Carol","role":"USER"}'),
    );

    fireEvent.change(screen.getByLabelText('Client name'), { target: { value: 'ci' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create client' }));
    expect((await screen.findByTestId('client-secret')).textContent).toBe('s3cret');
    fireEvent.click(screen.getByRole('button', { name: 'I have stored it' }));
    expect(screen.queryByTestId('client-secret')).toBeNull();
  });
});
