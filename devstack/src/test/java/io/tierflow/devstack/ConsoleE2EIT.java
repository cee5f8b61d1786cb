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
 * tenant-data services, then signs out, which revokes the token and ends the sign-in's
 * session. Each step's screenshot is kept in {@code target/console-screenshots}.
 */
class ConsoleE2EIT {

	private static final Path CONSOLE = Path.of("../console");

	private static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium"));

	@Test
	void anOperatorSignsInCreatesATenantAndSeesItActiveWithFourPlacements() throws Exception {
		assertThat(CHROMIUM).as("Debian's chromium package (.ci/run installs it)").isExecutable();
		assertThat(CONSOLE.resolve("node_modules/playwright-core"))
			.as("the console module's npm packages (built before this module)")
			.isDirectory();
		Devstack stack = SuiteUnderTest.stack();
		Path screenshots = Path.of("target/console-screenshots").toAbsolutePath();
		Path log = Path.of("target/console-e2e.log").toAbsolutePath();
		ProcessBuilder e2e = new ProcessBuilder("node", "e2e/console.e2e.mjs").directory(CONSOLE.toFile())
			.redirectErrorStream(true)
			.redirectOutput(log.toFile());
		e2e.environment()
			.putAll(Map.of("CONSOLE_URL", stack.url(Devstack.GATEWAY), "OPERATOR_USER", SuiteUnderTest.OPERATOR,
					"OPERATOR_PASSWORD", SuiteUnderTest.operatorPassword(), "SCREENSHOTS", screenshots.toString(),
					"CHROMIUM", CHROMIUM.toString()));
		Process process = e2e.start();
		boolean ended = process.waitFor(6, TimeUnit.MINUTES);
		if (!ended) {
			process.destroyForcibly();
		}
		String output = read(log);
		assertThat(ended).as("the e2e run ended within 6 minutes:\n" + output).isTrue();
		assertThat(process.exitValue()).as(output).isZero();
		assertThat(output).contains("console e2e: passed");
		assertThat(screenshots.resolve("05-tenant-active.png")).isNotEmptyFile();
	}

	private static String read(Path log) throws IOException {
		return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
	}

}
