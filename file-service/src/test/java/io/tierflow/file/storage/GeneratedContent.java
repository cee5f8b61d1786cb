package io.tierflow.file.storage;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.SplittableRandom;
import java.util.function.LongConsumer;

/**
 * Deterministic pseudo-random bytes made on the fly: a test can send gigabytes without
 * holding them, and know their SHA-256 by making them again.
 */
final class GeneratedContent extends InputStream {

	private final SplittableRandom random;

	private final long length;

	private final LongConsumer progress;

	private long produced;

	private GeneratedContent(long seed, long length, LongConsumer progress) {
		this.random = new SplittableRandom(seed);
		this.length = length;
		this.progress = progress;
	}

	static GeneratedContent of(long seed, long length) {
		return new GeneratedContent(seed, length, (n) -> {
		});
	}

	/** Content that reports the bytes produced so far after each read. */
	static GeneratedContent of(long seed, long length, LongConsumer progress) {
		return new GeneratedContent(seed, length, progress);
	}

	/** SHA-256 (lower-case hex) of {@code of(seed, length)}. */
	static String sha256(long seed, long length) throws IOException {
		return sha256(of(seed, length));
	}

	/** Reads a stream to its end and returns its SHA-256 as lower-case hex. */
	static String sha256(InputStream in) throws IOException {
		try (in) {
			MessageDigest digest = MessageDigest.getInstance("SHA-256");
			byte[] buffer = new byte[64 * 1024];
			for (int n; (n = in.read(buffer)) != -1;) {
				digest.update(buffer, 0, n);
			}
			return HexFormat.of().formatHex(digest.digest());
		}
		catch (java.security.NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	long produced() {
		return this.produced;
	}

	@Override
	public int read() {
		byte[] one = new byte[1];
		return (read(one, 0, 1) == 1) ? (one[0] & 0xff) : -1;
	}

	@Override
	public int read(byte[] buffer, int offset, int len) {
		if (this.produced == this.length) {
			return -1;
		}
		int n = (int) Math.min(len, this.length - this.produced);
		for (int i = 0; i < n; i++) {
			buffer[offset + i] = (byte) this.random.nextInt();
		}
		this.produced += n;
		this.progress.accept(this.produced);
		return n;
	}

}
