package io.tierflow.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import io.tierflow.testsupport.ServiceProcess;

/**
 * Free ports for the chaos run's processes, below the ephemeral range so no client
 * connection takes one while a process restarts: ten service instances (and their
 * management ports), the gateway (and its), six Kafka ports (clients, controllers).
 */
record ChaosPorts(int services, int gateway, int kafka) {

	private static final int INSTANCES = 10;

	static ChaosPorts find() {
		SplittableRandom random = new SplittableRandom();
		for (int attempt = 0; attempt < 100; attempt++) {
			int services = 20000 + random.nextInt(7000);
			ChaosPorts ports = new ChaosPorts(services, services + INSTANCES, services + INSTANCES + 1);
			if (ports.allFree()) {
				return ports;
			}
		}
		throw new IllegalStateException("No free block of ports for the chaos run");
	}

	private boolean allFree() {
		List<Integer> ports = new ArrayList<>();
		for (int i = 0; i < INSTANCES; i++) {
			ports.add(this.services + i);
			ports.add(ServiceProcess.managementPort(this.services + i));
		}
		ports.add(this.gateway);
		ports.add(ServiceProcess.managementPort(this.gateway));
		for (int i = 0; i < 6; i++) {
			ports.add(this.kafka + i);
		}
		for (int port : ports) {
			try (ServerSocket socket = new ServerSocket()) {
				socket.setReuseAddress(true);
				socket.bind(new InetSocketAddress("127.0.0.1", port));
			}
			catch (IOException ex) {
				return false;
			}
		}
		return true;
	}

}
