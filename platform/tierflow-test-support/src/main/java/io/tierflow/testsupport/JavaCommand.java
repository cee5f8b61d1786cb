package io.tierflow.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarFile;

/**
 * The command that runs a main class of this JVM's own class path in a new JVM: from a
 * test (a plain class path) or from an executable Spring Boot jar (its nested jars,
 * through the jar's {@code PropertiesLauncher}). Used to run infrastructure such as Kafka
 * brokers as processes of their own, so they can be killed and paused.
 */
final class JavaCommand {

	private static final String PROPERTIES_LAUNCHER = "org.springframework.boot.loader.launch.PropertiesLauncher";

	private JavaCommand() {
	}

	static List<String> of(String mainClass, List<String> jvmOptions, List<String> args) {
		List<String> command = new ArrayList<>();
		command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
		command.addAll(jvmOptions);
		String classPath = System.getProperty("java.class.path");
		Path bootJar = bootJar(classPath);
		if (bootJar != null) {
			command.add("-Dloader.main=" + mainClass);
			command.add("-cp");
			command.add(bootJar.toString());
			command.add(PROPERTIES_LAUNCHER);
		}
		else {
			command.add("-cp");
			command.add(classPath);
			command.add(mainClass);
		}
		command.addAll(args);
		return command;
	}

	/** The executable Spring Boot jar this JVM runs from, or null. */
	private static Path bootJar(String classPath) {
		if (classPath == null || classPath.contains(java.io.File.pathSeparator) || !classPath.endsWith(".jar")) {
			return null;
		}
		Path jar = Path.of(classPath).toAbsolutePath();
		if (!Files.isRegularFile(jar)) {
			return null;
		}
		try (JarFile file = new JarFile(jar.toFile())) {
			return (file.getEntry("BOOT-INF/lib/") != null || file.getEntry("BOOT-INF/classes/") != null) ? jar : null;
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot read " + jar, ex);
		}
	}

}
