package io.tierflow.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.stream.Stream;

import com.nimbusds.jose.util.JSONObjectUtils;
import com.sun.net.httpserver.HttpServer;
import io.tierflow.servicetest.ServiceTestInfrastructure;
import io.tierflow.testsupport.PostgresServer;
import io.tierflow.testsupport.ServiceProcess;
import io.tierflow.testsupport.TestKafka;

/**
 * file-service as a process of its own, from its executable jar, on the bench's
 * PostgreSQL and Kafka: the tenant's files in {@code bench/run lifecycle}. Its tokens are
 * the test issuer's, whose public key the bench serves itself on loopback; its blobs and
 * the archives are in directories the bench names, so that simulation-service in the
 * bench's JVM writes its archive parts beside file-service's.
 */
final class FileServiceUnderBench implements AutoCloseable {

	private static final List<String> DATABASES = List.of("file", "file_shared", "file_dedicated", "file_enterprise");

	private static final int FILE_BYTES = 10 * 1024 * 1024;

	private final HttpServer jwks;

	private final ServiceProcess process;

	private final Path blobs;

	private final HttpClient http = HttpClient.newHttpClient();

	private FileServiceUnderBench(HttpServer jwks, ServiceProcess process, Path blobs) {
		this.jwks = jwks;
		this.process = process;
		this.blobs = blobs;
	}

	/** Starts file-service without waiting for it: {@link #awaitHealthy()} does. */
	static FileServiceUnderBench launch(PostgresServer pg, Path archives, Path work) throws IOException {
		for (String database : DATABASES) {
			pg.dropDatabase(database);
			pg.createDatabase(database);
		}
		HttpServer jwks = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
		byte[] keys = JSONObjectUtils.toJSONString(ServiceTestInfrastructure.TOKENS.publicJwks())
			.getBytes(StandardCharsets.UTF_8);
		jwks.createContext("/.well-known/jwks.json", (exchange) -> {
			exchange.getResponseHeaders().add("Content-Type", "application/json");
			exchange.sendResponseHeaders(200, keys.length);
			exchange.getResponseBody().write(keys);
			exchange.close();
		});
		jwks.start();
		try {
			Path blobs = Files.createDirectories(work.resolve("blobs"));
			int port;
			try (ServerSocket socket = new ServerSocket(0)) {
				port = socket.getLocalPort();
			}
			Map<String, String> env = new java.util.LinkedHashMap<>(ServiceProcess.environment(port, pg,
					TestKafka.get(), "http://127.0.0.1:" + jwks.getAddress().getPort() + "/.well-known/jwks.json"));
			env.put("TIERFLOW_ARCHIVES", archives.toString());
			// The bench signs as the test issuer.
			env.put("TIERFLOW_SECURITY_ISSUER", ServiceTestInfrastructure.TOKENS.issuer());
			env.put("TIERFLOW_FILE_BLOBS", blobs.toString());
			ServiceProcess process = ServiceProcess.launch("file-service",
					Path.of("bench/target/services/file-service.jar"), port, List.of("-Xmx512m"), env,
					work.resolve("file-service.log"));
			return new FileServiceUnderBench(jwks, process, blobs);
		}
		catch (IOException | RuntimeException ex) {
			jwks.stop(0);
			throw ex;
		}
	}

	void awaitHealthy() {
		this.process.awaitHealthy(Duration.ofMinutes(4));
		Bench.say("  file-service up at " + this.process.url() + " (log: " + this.process.logFile() + ")");
	}

	/** Whether file-service serves the tenant. */
	boolean ready(UUID tenant) throws IOException, InterruptedException {
		this.process.checkAlive();
		return this.http
			.send(request(tenant, "/api/v1/files/usage").GET().build(), HttpResponse.BodyHandlers.discarding())
			.statusCode() == 200;
	}

	/**
	 * Uploads files of random bytes (they compress no more than most files people store)
	 * through the files API until {@code megabytes} are stored.
	 * @return the bytes stored
	 */
	long upload(UUID tenant, int megabytes) throws IOException, InterruptedException {
		Random random = new Random(20261206);
		byte[] content = new byte[FILE_BYTES];
		long stored = 0;
		for (int i = 0; stored < megabytes * 1024L * 1024L; i++) {
			random.nextBytes(content);
			String boundary = "bench-" + UUID.randomUUID();
			ByteArrayOutputStream body = new ByteArrayOutputStream(FILE_BYTES + 512);
			body.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"blob-" + i
					+ ".bin\"\r\nContent-Type: application/octet-stream\r\n\r\n")
				.getBytes(StandardCharsets.UTF_8));
			body.write(content);
			body.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
			HttpResponse<String> response = this.http.send(
					request(tenant, "/api/v1/files").header("Content-Type", "multipart/form-data; boundary=" + boundary)
						.POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()))
						.build(),
					HttpResponse.BodyHandlers.ofString());
			if (response.statusCode() != 201) {
				throw new IllegalStateException("Upload refused: " + response.statusCode() + " " + response.body());
			}
			stored += content.length;
		}
		return stored;
	}

	/** The tenant's blob files, as the export reads them. */
	List<Path> blobsOf(UUID tenant) throws IOException {
		Path dir = this.blobs.resolve(tenant.toString());
		if (!Files.isDirectory(dir)) {
			return List.of();
		}
		try (Stream<Path> files = Files.list(dir)) {
			return files.filter(Files::isRegularFile).sorted().toList();
		}
	}

	long bytesOf(UUID tenant) throws IOException {
		long bytes = 0;
		for (Path blob : blobsOf(tenant)) {
			bytes += Files.size(blob);
		}
		return bytes;
	}

	private HttpRequest.Builder request(UUID tenant, String path) {
		String token = ServiceTestInfrastructure.TOKENS.issue("bench-admin", tenant, List.of("TENANT_ADMIN"),
				Duration.ofHours(1));
		return HttpRequest.newBuilder(URI.create(this.process.url() + path))
			.timeout(Duration.ofMinutes(2))
			.header("Authorization", "Bearer " + token);
	}

	@Override
	public void close() {
		try {
			this.process.close();
		}
		finally {
			this.jwks.stop(0);
		}
	}

}
