package io.tierflow.devstack;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code ./tierflow run} on a machine where a port it needs is held (a test suite's
 * leftover, another program): one line naming the port, what it is for and the option
 * that moves it, instead of a stack trace from deep in a start-up.
 */
class TakenPortTest {

	@Test
	void namesTheTakenPortAndTheOptionThatMovesIt() throws Exception {
		// Ports below the ephemeral range, where nothing else picks them at random.
		int base = freeBlock();
		int gateway = base + 5;
		int pg = base + 6;
		int kafka = base + 7;
		assertThat(Devstack.takenPort(pg, kafka, base, gateway)).isNull();
		try (ServerSocket held = bind(base + 2)) {
			assertThat(Devstack.takenPort(pg, kafka, base, gateway))
				.isEqualTo("Port " + (base + 2) + " (file-service) is taken: stop what holds it, or choose other"
						+ " ports with --port (./tierflow run --port <port>)");
		}
		try (ServerSocket held = bind(pg)) {
			assertThat(Devstack.takenPort(pg, kafka, base, gateway)).contains("(PostgreSQL)").contains("--pg-port");
		}
	}

	/** A base port whose next 8 ports, and those 1000 above, are free. */
	private static int freeBlock() {
		for (int attempt = 0; attempt < 200; attempt++) {
			int base = ThreadLocalRandom.current().nextInt(20_000, 30_000);
			boolean free = true;
			for (int i = 0; i < 8 && free; i++) {
				free = isFree(base + i) && isFree(base + i + 1000);
			}
			if (free) {
				return base;
			}
		}
		throw new IllegalStateException("No block of free ports between 20000 and 31000");
	}

	private static boolean isFree(int port) {
		try (ServerSocket socket = bind(port)) {
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

	private static ServerSocket bind(int port) throws IOException {
		ServerSocket socket = new ServerSocket();
		socket.setReuseAddress(true);
		socket.bind(new InetSocketAddress("127.0.0.1", port));
		return socket;
	}

}
