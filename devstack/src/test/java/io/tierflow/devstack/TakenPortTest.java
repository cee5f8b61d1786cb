package io.tierflow.devstack;

import java.net.InetSocketAddress;
import java.net.ServerSocket;

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
		try (ServerSocket held = new ServerSocket()) {
			held.bind(new InetSocketAddress("127.0.0.1", 0));
			int port = held.getLocalPort();
			assertThat(Devstack.takenPort(free(), free(), port - 2, free()))
				.isEqualTo("Port " + port + " (file-service) is taken: stop what holds it, or choose other ports"
						+ " with --port (./tierflow run --port <port>)");
			assertThat(Devstack.takenPort(port, free(), free(), free())).contains("(PostgreSQL)").contains("--pg-port");
		}
	}

	private static int free() throws Exception {
		try (ServerSocket socket = new ServerSocket()) {
			socket.bind(new InetSocketAddress("127.0.0.1", 0));
			return socket.getLocalPort();
		}
	}

}
