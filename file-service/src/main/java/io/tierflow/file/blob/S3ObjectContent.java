package io.tierflow.file.blob;

import java.io.FilterInputStream;
import java.io.IOException;

import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

/**
 * An object's content as it streams from its response. Closed before its end (a client
 * that went away), the connection is aborted rather than drained: draining would read the
 * rest of a large object for nothing.
 */
final class S3ObjectContent extends FilterInputStream {

	private final ResponseInputStream<GetObjectResponse> object;

	private boolean ended;

	S3ObjectContent(ResponseInputStream<GetObjectResponse> object) {
		super(object);
		this.object = object;
	}

	@Override
	public int read() throws IOException {
		int b = super.read();
		this.ended |= (b < 0);
		return b;
	}

	@Override
	public int read(byte[] buffer, int offset, int length) throws IOException {
		int n = super.read(buffer, offset, length);
		this.ended |= (n < 0);
		return n;
	}

	@Override
	public void close() throws IOException {
		if (!this.ended) {
			this.object.abort();
		}
		super.close();
	}

}
