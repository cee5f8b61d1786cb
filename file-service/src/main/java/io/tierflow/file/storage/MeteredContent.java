package io.tierflow.file.storage;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.function.Supplier;

import org.apache.commons.fileupload2.core.FileUploadException;

/**
 * The content of an upload on its way to the blob store: counts its bytes, hashes them
 * (SHA-256) and refuses to go past an allowance. Never asks its source for more than one
 * byte beyond the allowance, so an upload over quota stops being read right there,
 * whatever the size of the rest of the body.
 */
final class MeteredContent extends InputStream {

	private final InputStream source;

	private final long allowance;

	private final Supplier<? extends RuntimeException> refusal;

	private final MessageDigest sha256;

	private long count;

	/**
	 * @param source the part's bytes as the multipart parser streams them
	 * @param allowance how many bytes may be read at most
	 * @param refusal the failure to raise once the content has more bytes than that
	 */
	MeteredContent(InputStream source, long allowance, Supplier<? extends RuntimeException> refusal) {
		this.source = source;
		this.allowance = allowance;
		this.refusal = refusal;
		try {
			this.sha256 = MessageDigest.getInstance("SHA-256");
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("Every Java platform has SHA-256", ex);
		}
	}

	@Override
	public int read() throws IOException {
		byte[] one = new byte[1];
		int n = read(one, 0, 1);
		return (n == 1) ? (one[0] & 0xff) : -1;
	}

	@Override
	public int read(byte[] buffer, int offset, int length) throws IOException {
		if (length == 0) {
			return 0;
		}
		// One byte past the allowance is enough to know the content is too big.
		int asked = (int) Math.min(length, this.allowance - this.count + 1);
		int n;
		try {
			n = this.source.read(buffer, offset, asked);
		}
		catch (FileUploadException ex) {
			throw ex;
		}
		catch (IOException ex) {
			throw new UploadReadException(ex);
		}
		if (n > 0) {
			if (this.count + n > this.allowance) {
				throw this.refusal.get();
			}
			this.count += n;
			this.sha256.update(buffer, offset, n);
		}
		return n;
	}

	@Override
	public void close() throws IOException {
		this.source.close();
	}

	/** Bytes read so far. */
	long count() {
		return this.count;
	}

	/** SHA-256 of the bytes read, lower-case hex; call once, at the end. */
	String sha256() {
		return HexFormat.of().formatHex(this.sha256.digest());
	}

}
