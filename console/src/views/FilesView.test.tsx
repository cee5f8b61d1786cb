import { act, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { FilesView } from './FilesView';

// Who is signed in, as the page's session tells it.
const signedIn = vi.hoisted(() => ({ subject: null as string | null }));
vi.mock('../auth', async (importOriginal) => {
  const real = await importOriginal<typeof import('../auth')>();
  return {
    ...real,
    session: () =>
      signedIn.subject
        ? { accessToken: 'token', subject: signedIn.subject, name: 'x', roles: ['USER'], expiresAt: Date.now() + 60_000 }
        : null,
  };
});

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

/** An XMLHttpRequest that reports progress when told to, then answers. */
class FakeUpload {
  static last: FakeUpload | null = null;
  upload: { onprogress: ((e: { loaded: number; total: number; lengthComputable: boolean }) => void) | null } = { onprogress: null };
  onload: (() => void) | null = null;
  onerror: (() => void) | null = null;
  status = 0;
  statusText = '';
  responseText = '';
  headers: Record<string, string> = {};
  sent: FormData | null = null;
  open(method: string, url: string) {
    this.headers[':request'] = `${method} ${url}`;
  }
  setRequestHeader(name: string, value: string) {
    this.headers[name] = value;
  }
  send(body: FormData) {
    this.sent = body;
    FakeUpload.last = this;
  }
  answer(status: number, body: unknown) {
    this.status = status;
    this.responseText = JSON.stringify(body);
    this.onload?.();
  }
}

describe('FilesView', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('shows the quota as a bar, and an upload with its own bar, after which the quota moves', async () => {
    let used = 1_000_000;
    vi.stubGlobal('XMLHttpRequest', FakeUpload);
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string) =>
        url.includes('/usage')
          ? json({ tier: 'SHARED', bytes: used, files: used > 1_000_000 ? 2 : 1, seats: 1, quota: 10_000_000 })
          : json({ items: [], page: 0, size: 100 }),
      ),
    );
    render(<FilesView canWrite canDelete />);
    const quota = await screen.findByRole('progressbar', { name: 'storage quota' });
    expect(quota.getAttribute('aria-valuetext')).toBe('1.0 MB of 10.0 MB · 1 files');

    const file = new File(['x'.repeat(2000)], 'data.csv', { type: 'text/csv' });
    fireEvent.change(screen.getByLabelText('Upload a file'), { target: { files: [file] } });
    await waitFor(() => expect(FakeUpload.last).not.toBeNull());
    const request = FakeUpload.last as FakeUpload;
    expect(request.headers[':request']).toBe('POST /api/v1/files');
    expect((request.sent?.get('file') as File).name).toBe('data.csv');
    act(() => request.upload.onprogress?.({ loaded: 1000, total: 2000, lengthComputable: true }));
    expect(screen.getByRole('progressbar', { name: 'uploading data.csv' }).getAttribute('aria-valuetext')).toBe('50 % of 2.0 KB');

    used = 3_000_000;
    act(() => request.answer(201, { id: 'f1', name: 'data.csv' }));
    await waitFor(() =>
      expect(screen.getByRole('progressbar', { name: 'storage quota' }).getAttribute('aria-valuetext')).toBe(
        '3.0 MB of 10.0 MB · 2 files',
      ),
    );
    expect(screen.queryByRole('progressbar', { name: 'uploading data.csv' })).toBeNull();
  });

  it('shows a refused upload as its problem', async () => {
    vi.stubGlobal('XMLHttpRequest', FakeUpload);
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string) =>
        url.includes('/usage') ? json({ tier: 'SHARED', bytes: 0, files: 0, seats: 1, quota: 10 }) : json({ items: [] }),
      ),
    );
    render(<FilesView canWrite canDelete />);
    await screen.findByRole('progressbar', { name: 'storage quota' });
    fireEvent.change(screen.getByLabelText('Upload a file'), { target: { files: [new File(['x'.repeat(20)], 'big.bin')] } });
    await waitFor(() => expect(FakeUpload.last?.sent).toBeTruthy());
    act(() => (FakeUpload.last as FakeUpload).answer(413, { title: 'Storage quota exceeded', detail: 'The upload needs 20 bytes; 10 are left' }));
    expect((await screen.findByRole('alert')).textContent).toBe('Storage quota exceeded — The upload needs 20 bytes; 10 are left');
  });

  it("names the signed-in user's own uploads as theirs, and others' by their id", async () => {
    signedIn.subject = 'u-1';
    const file = (id: string, by: string) => ({
      id,
      name: `${id}.csv`,
      contentType: 'text/csv',
      size: 10,
      createdAt: '2026-12-07T09:00:00Z',
      uploadedBy: by,
    });
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string) =>
        url.includes('/usage')
          ? json({ tier: 'SHARED', bytes: 20, files: 2, seats: 1, quota: 100 })
          : json({ items: [file('mine', 'u-1'), file('theirs', 'u-2')], page: 0, size: 100 }),
      ),
    );
    try {
      render(<FilesView canWrite={false} canDelete={false} />);
      expect((await screen.findByTestId('file-mine.csv')).textContent).toContain('2026-12-07 09:00 by you');
      expect(screen.getByTestId('file-theirs.csv').textContent).toContain('by u-2');
    } finally {
      signedIn.subject = null;
    }
  });
});
