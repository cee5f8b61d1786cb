package io.tierflow.mover;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The export's hand-off to its writer thread: every byte arrives once and in order
 * whatever the sizes written, a writer's failure reaches the side writing, and a failure
 * on the side writing stops the writer before close returns.
 */
class HandOffStreamTest {

	@Test
	void everyByteArrivesInOrder() throws IOException {
		byte[] data = new byte[3_000_017];
		new Random(42).nextBytes(data);
		ByteArrayOutputStream sink = new ByteArrayOutputStream();
		Random sizes = new Random(7);
		try (HandOffStream out = new HandOffStream(sink, "test-writer", 1000)) {
			for (int at = 0; at < data.length;) {
				int n = Math.min(data.length - at, sizes.nextInt(5000));
				out.write(data, at, n);
				at += n;
			}
			out.write(1);
		}
		byte[] expected = java.util.Arrays.copyOf(data, data.length + 1);
		expected[data.length] = 1;
		assertThat(sink.toByteArray()).isEqualTo(expected);
	}

	@Test
	void aWritersFailureReachesTheSideWriting() {
		OutputStream failing = new OutputStream() {

			@Override
			public void write(int b) throws IOException {
				throw new IOException("disk full");
			}

			@Override
			public void write(byte[] b, int off, int len) throws IOException {
				throw new IOException("disk full");
			}

		};
		assertThatThrownBy(() -> {
			try (HandOffStream out = new HandOffStream(failing, "test-writer", 16)) {
				for (int i = 0; i < 10_000; i++) {
					out.write(new byte[16]);
				}
			}
		}).isInstanceOf(IOException.class).hasMessage("disk full");
	}

	@Test
	void aFailureWritingStopsTheWriterBeforeCloseReturns() throws Exception {
		CountDownLatch writing = new CountDownLatch(1);
		AtomicBoolean writerDone = new AtomicBoolean();
		OutputStream slow = new OutputStream() {

			@Override
			public void write(int b) {
			}

			@Override
			public void write(byte[] b, int off, int len) {
				writing.countDown();
				try {
					Thread.sleep(200);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
				writerDone.set(true);
			}

		};
		HandOffStream out = new HandOffStream(slow, "test-writer", 4);
		assertThatThrownBy(() -> {
			try (out) {
				out.write(new byte[8]);
				writing.await();
				throw new IllegalStateException("the COPY failed");
			}
		}).hasMessage("the COPY failed");
		assertThat(writerDone).isTrue();
		assertThatThrownBy(() -> out.write(1)).isInstanceOf(IOException.class);
	}

}
