import { ChangeEvent, useEffect, useState } from 'react';
import { api, download, Page } from '../api';
import { session } from '../auth';
import { ConfirmAction } from '../components/ConfirmAction';
import { ProblemMessage } from '../components/ProblemMessage';
import { ProgressBar } from '../components/ProgressBar';
import { upload } from '../upload';

interface StoredFile {
  id: string;
  name: string;
  contentType: string;
  size: number;
  createdAt: string;
  uploadedBy: string;
}

interface StorageUsage {
  tier: string;
  bytes: number;
  files: number;
  seats: number;
  quota: number;
}

const size = (bytes: number) =>
  bytes >= 1e9 ? `${(bytes / 1e9).toFixed(1)} GB` : bytes >= 1e6 ? `${(bytes / 1e6).toFixed(1)} MB` : `${(bytes / 1e3).toFixed(1)} KB`;

/** The tenant's files: upload with a progress bar, the storage quota as a bar, download, delete. */
export function FilesView({ canWrite, canDelete }: { canWrite: boolean; canDelete: boolean }) {
  // Files name their uploader by the token's subject: this user's own read as "you".
  const me = session()?.subject;
  const [files, setFiles] = useState<StoredFile[]>([]);
  const [usage, setUsage] = useState<StorageUsage | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [uploading, setUploading] = useState<{ name: string; sent: number; total: number } | null>(null);
  const [uploadError, setUploadError] = useState<unknown>(null);
  const [version, setVersion] = useState(0);

  useEffect(() => {
    Promise.all([api<Page<StoredFile>>('/api/v1/files?size=100'), api<StorageUsage>('/api/v1/files/usage')])
      .then(([page, used]) => {
        setFiles(page.items);
        setUsage(used);
        setError(null);
      })
      .catch(setError);
  }, [version]);

  async function chosen(event: ChangeEvent<HTMLInputElement>) {
    const file = event.target.files?.[0];
    event.target.value = '';
    if (!file) {
      return;
    }
    setUploading({ name: file.name, sent: 0, total: file.size });
    try {
      await upload('/api/v1/files', file, (sent, total) => setUploading({ name: file.name, sent, total }));
      setUploadError(null);
    } catch (failure) {
      setUploadError(failure);
    } finally {
      setUploading(null);
      setVersion((v) => v + 1);
    }
  }

  async function save(file: StoredFile) {
    try {
      const blob = await download(`/api/v1/files/${encodeURIComponent(file.id)}/content`);
      const url = URL.createObjectURL(blob);
      const link = document.createElement('a');
      link.href = url;
      link.download = file.name;
      link.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (failure) {
      setError(failure);
    }
  }

  return (
    <section aria-labelledby="files-heading">
      <h2 id="files-heading">Files</h2>
      {usage ? (
        <div className="quota" data-testid="quota">
          <span>Storage</span>
          <ProgressBar
            label="storage quota"
            value={usage.bytes}
            max={usage.quota}
            text={`${size(usage.bytes)} of ${size(usage.quota)} · ${usage.files} files`}
          />
        </div>
      ) : null}
      {canWrite ? (
        <div className="upload">
          <label>
            Upload a file
            <input type="file" onChange={(e) => void chosen(e)} disabled={uploading !== null} />
          </label>
          {uploading ? (
            <ProgressBar
              label={`uploading ${uploading.name}`}
              value={uploading.sent}
              max={Math.max(1, uploading.total)}
              text={`${Math.round((100 * uploading.sent) / Math.max(1, uploading.total))} % of ${size(uploading.total)}`}
            />
          ) : null}
          <ProblemMessage error={uploadError} />
        </div>
      ) : null}
      <ProblemMessage error={error} />
      <table aria-label="Files">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Size</th>
            <th scope="col">Uploaded</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {files.map((f) => (
            <tr key={f.id} data-testid={`file-${f.name}`}>
              <td data-label="Name">{f.name}</td>
              <td data-label="Size">{size(f.size)}</td>
              <td data-label="Uploaded">
                {f.createdAt.replace('T', ' ').slice(0, 16)} by {f.uploadedBy === me ? 'you' : f.uploadedBy}
              </td>
              <td data-label="Actions" className="row">
                <button type="button" onClick={() => void save(f)}>
                  Download {f.name}
                </button>
                {canDelete ? (
                  <ConfirmAction
                    label={`Delete ${f.name}`}
                    question={`Delete ${f.name}?`}
                    action={async () => {
                      await api(`/api/v1/files/${encodeURIComponent(f.id)}`, { method: 'DELETE' });
                      setVersion((v) => v + 1);
                    }}
                  />
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
