package io.tierflow.file.storage;

/** An upload request that is not well-formed (missing part, bad name): 400. */
class InvalidUploadException extends RuntimeException {

	InvalidUploadException(String message) {
		super(message);
	}

}
