package io.tierflow.file.storage;

/**
 * A single file larger than {@code tierflow.files.max-file-size}: 413, nothing stored.
 */
class FileTooLargeException extends RuntimeException {

	private final long maxFileSize;

	FileTooLargeException(long maxFileSize) {
		super("A file may have at most " + maxFileSize + " bytes");
		this.maxFileSize = maxFileSize;
	}

	long maxFileSize() {
		return this.maxFileSize;
	}

}
