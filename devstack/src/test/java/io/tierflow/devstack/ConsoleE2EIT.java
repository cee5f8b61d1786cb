package io.tierflow.devstack;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The console end to end: Playwright (the console module's playwright-core, no browser
 * download) drives Debian's Chromium against the suite, through the gateway that serves
 * the console: an operator signs in with the authorization code flow and PKCE, creates a
 * PROFESSIONAL tenant and sees it turn ACTIVE with a SCHEMA placement in each of the four
 * tenant-data services, suspends and reactivates it, changes its plan and watches one bar
 * per service reach 100 % with the checksums, exports it and downloads the archive,
 * deletes and restores it, then signs out, which revokes the token and ends the sign-in's
 * session. A tenant admin then creates a model with a fault shown at its place, fixes it,
 * runs it to 100 % with the histogram, and uploads a file that moves the quota bar; a
 * read-only user is offered none of the actions they lack a permission for, and the API
 * refuses them anyway with that user's token. Each step's screenshot is kept in
 * {@code target/console-screenshots}.
 */
class ConsoleE2EIT {

	private static final Path CONSOLE = Path.of("../console");

	private static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium"));

	@Test
	void operatorsAndTenantUsersDoTheirWorkInTheBrowser() throws Exception {
		assertThat(CHROMIUM).as("Debian's chromium package (.ci/run installs it)").isExecutable();
		assertThat(CONSOLE.resolve("node_modules/playwright-core"))
			.as("the console module's npm packages (built before this module)")
			.isDirectory();
		Devstack stack = SuiteUnderTest.stack();
		Path screenshots = Path.of("target/console-screenshots").toAbsolutePath();
		Path log = Path.of("target/console-e2e.log").toAbsolutePath();
		// Only this run's screenshots count.
		if (Files.isDirectory(screenshots)) {
			try (var old = Files.list(screenshots)) {
				for (Path shot : old.toList()) {
					Files.delete(shot);
				}
			}
		}
		ProcessBuilder e2e = new ProcessBuilder("node", "e2e/console.e2e.mjs").directory(CONSOLE.toFile())
			.redirectErrorStream(true)
			.redirectOutput(log.toFile());
		e2e.environment()
			.putAll(Map.of("CONSOLE_URL", stack.url(Devstack.GATEWAY), "OPERATOR_USER", SuiteUnderTest.OPERATOR,
					"OPERATOR_PASSWORD", SuiteUnderTest.operatorPassword(), "SCREENSHOTS", screenshots.toString(),
					"CHROMIUM", CHROMIUM.toString()));
		Process process = e2e.start();
		boolean ended = process.waitFor(10, TimeUnit.MINUTES);
		if (!ended) {
			process.destroyForcibly();
		}
		String output = read(log);
		assertThat(ended).as("the e2e run ended within 10 minutes:\n" + output).isTrue();
		assertThat(process.exitValue()).as(output).isZero();
		assertThat(output).contains("console e2e: passed");
		assertThat(screenshots.resolve("05-tenant-active.png")).isNotEmptyFile();
		try (var shots = Files.list(screenshots)) {
			assertThat(shots.map((p) -> p.getFileName().toString()))
				.anyMatch((name) -> name.endsWith("-tier-change-done.png"))
				.anyMatch((name) -> name.endsWith("-run-result.png"))
				.anyMatch((name) -> name.endsWith("-file-uploaded.png"));
		}
	}

	private static String read(Path log) throws IOException {
		return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
	}

}
