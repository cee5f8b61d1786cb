package io.tierflow.file.storage;

import java.io.IOException;

/**
 * The request body of an upload could not be read (the client went away, or sent a body
 * that ends early): the client's failure, answered with 400 — unlike a failure to write
 * the blob, which is the service's.
 */
class UploadReadException extends IOException {

	UploadReadException(IOException cause) {
		super("The upload could not be read: " + cause.getMessage(), cause);
	}

}
