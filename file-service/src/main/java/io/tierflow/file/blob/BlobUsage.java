package io.tierflow.file.blob;

/**
 * What a tenant keeps in the blob store: its files' bytes and any unfinished writes.
 *
 * @param blobs how many blobs, unfinished writes included
 * @param bytes their size on disk, in bytes
 */
public record BlobUsage(long blobs, long bytes) {

	public static final BlobUsage NONE = new BlobUsage(0, 0);

}
