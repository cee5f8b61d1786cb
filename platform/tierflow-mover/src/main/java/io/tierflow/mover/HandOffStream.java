package io.tierflow.mover;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Buffers what is written into chunks and writes them to {@code out} on another thread,
 * so that the writer's work (an export's digest and deflater) runs beside the reader's
 * (COPY and the checksum) instead of after it. A few chunks are in flight at most, so
 * memory stays bounded however large the stream; a failure on either side ends both.
 * {@link #close()} writes the last chunk, waits for all of them, and closes nothing
 * downstream but flushes it.
 */
final class HandOffStream extends OutputStream {

	private static final int IN_FLIGHT = 4;

	private record Chunk(byte[] bytes, int length) {
	}

	private static final Chunk END = new Chunk(new byte[0], 0);

	private final BlockingQueue<Chunk> full = new ArrayBlockingQueue<>(IN_FLIGHT);

	private final BlockingQueue<byte[]> free = new ArrayBlockingQueue<>(IN_FLIGHT + 2);

	private final Thread writer;

	private volatile Throwable failure;

	/** Whether the writer's failure was thrown already: once is enough. */
	private boolean failureThrown;

	private byte[] current;

	private int used;

	private boolean closed;

	HandOffStream(OutputStream out, String name, int chunkSize) {
		for (int i = 0; i < IN_FLIGHT + 1; i++) {
			this.free.add(new byte[chunkSize]);
		}
		this.current = new byte[chunkSize];
		this.writer = new Thread(() -> {
			try {
				for (Chunk chunk; (chunk = this.full.take()) != END;) {
					out.write(chunk.bytes(), 0, chunk.length());
					this.free.put(chunk.bytes());
				}
				out.flush();
			}
			catch (InterruptedException ex) {
				// stopped: the other side failed
			}
			catch (Throwable ex) {
				this.failure = ex;
			}
		}, name);
		this.writer.setDaemon(true);
		this.writer.start();
	}

	@Override
	public void write(int b) throws IOException {
		write(new byte[] { (byte) b }, 0, 1);
	}

	@Override
	public void write(byte[] b, int off, int len) throws IOException {
		if (this.closed) {
			throw new IOException("Stream closed");
		}
		while (len > 0) {
			int n = Math.min(len, this.current.length - this.used);
			System.arraycopy(b, off, this.current, this.used, n);
			this.used += n;
			off += n;
			len -= n;
			if (this.used == this.current.length) {
				handOff(new Chunk(this.current, this.used));
				this.current = takeFree();
				this.used = 0;
			}
		}
	}

	/**
	 * Hands off the last chunk and waits for the writer to write everything; if this side
	 * failed before, stops the writer and waits for it to stop.
	 */
	@Override
	public void close() throws IOException {
		if (this.closed) {
			return;
		}
		this.closed = true;
		boolean ended = false;
		try {
			if (this.used > 0) {
				handOff(new Chunk(this.current, this.used));
			}
			handOff(END);
			ended = true;
		}
		finally {
			if (!ended) {
				this.writer.interrupt();
			}
			join();
		}
		rethrow();
	}

	private void handOff(Chunk chunk) throws IOException {
		try {
			while (!this.full.offer(chunk, 50, TimeUnit.MILLISECONDS)) {
				checkWriter();
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new InterruptedIOException("Interrupted while handing bytes to the writer");
		}
	}

	private byte[] takeFree() throws IOException {
		try {
			byte[] next;
			while ((next = this.free.poll(50, TimeUnit.MILLISECONDS)) == null) {
				checkWriter();
			}
			return next;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new InterruptedIOException("Interrupted while waiting for the writer");
		}
	}

	private void checkWriter() throws IOException {
		rethrow();
		if (!this.writer.isAlive()) {
			throw new IOException("The writer stopped before the stream was closed");
		}
	}

	private void rethrow() throws IOException {
		Throwable ex = this.failure;
		if (ex == null || this.failureThrown) {
			return;
		}
		this.failureThrown = true;
		if (ex instanceof IOException io) {
			throw io;
		}
		throw new IOException("Writing failed: " + ex, ex);
	}

	private void join() {
		boolean interrupted = false;
		while (this.writer.isAlive()) {
			try {
				this.writer.join();
			}
			catch (InterruptedException ex) {
				interrupted = true;
				this.writer.interrupt();
			}
		}
		if (interrupted) {
			Thread.currentThread().interrupt();
		}
	}

}
