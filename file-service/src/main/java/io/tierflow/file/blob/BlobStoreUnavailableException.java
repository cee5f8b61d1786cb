package io.tierflow.file.blob;

import java.io.IOException;

/**
 * The blob store cannot be reached, or failed on its side (an S3 endpoint that refuses
 * connections, times out or answers 5xx): nothing was stored or read, and the same
 * request may succeed later. Answered with 503 and {@code Retry-After}.
 */
public class BlobStoreUnavailableException extends IOException {

	public BlobStoreUnavailableException(String message, Throwable cause) {
		super(message, cause);
	}

}
