package io.tierflow.mover;

import java.nio.charset.StandardCharsets;
import java.util.Random;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An archive entry is deflated only when its first bytes show it pays: text yes, bytes
 * that are compressed already (here: random) no.
 */
class EntryCompressionTest {

	@Test
	void textIsDeflated() {
		byte[] csv = "date,amount,currency\n2026-12-06,12.50,EUR\n".repeat(2000).getBytes(StandardCharsets.UTF_8);
		assertThat(TenantArchiver.compresses(csv)).isTrue();
	}

	@Test
	void compressedBytesAreStored() {
		byte[] random = new byte[64 * 1024];
		new Random(1).nextBytes(random);
		assertThat(TenantArchiver.compresses(random)).isFalse();
	}

	@Test
	void anEmptyEntryIsDeflatedAsAlways() {
		assertThat(TenantArchiver.compresses(new byte[0])).isTrue();
	}

}
