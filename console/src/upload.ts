import { Problem } from './api';
import { session } from './auth';

/**
 * Uploads a file as multipart/form-data with the user's token, reporting the bytes sent
 * as they go (fetch cannot report an upload's progress; XMLHttpRequest can).
 */
export function upload<T>(path: string, file: File, onProgress: (sent: number, total: number) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open('POST', path);
    const token = session()?.accessToken;
    if (token) {
      request.setRequestHeader('Authorization', `Bearer ${token}`);
    }
    request.setRequestHeader('Accept', 'application/json, application/problem+json');
    request.upload.onprogress = (e) => onProgress(e.loaded, e.lengthComputable ? e.total : file.size);
    request.onload = () => {
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(request.responseText) as Record<string, unknown>;
      } catch {
        // not JSON: the status says enough
      }
      if (request.status >= 200 && request.status < 300) {
        resolve(body as T);
      } else {
        reject(
          new Problem(
            request.status,
            typeof body.title === 'string' ? body.title : request.statusText || `HTTP ${request.status}`,
            typeof body.detail === 'string' ? body.detail : undefined,
            body,
          ),
        );
      }
    };
    request.onerror = () => reject(new Problem(0, 'Upload failed', 'The connection was lost'));
    const form = new FormData();
    form.append('file', file, file.name);
    request.send(form);
  });
}
