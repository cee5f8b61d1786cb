package io.tierflow.mover;

import java.util.Arrays;
import java.util.UUID;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A service instance in a process of its own that erases one tenant and prints
 * {@code DONE} when it has: the one {@link TenantEraserCrashIT} kills with SIGKILL in the
 * middle. Arguments: tenant id, then the instance's properties as {@code --name=value}.
 */
public final class EraserProcess {

	private EraserProcess() {
	}

	public static void main(String[] args) {
		UUID tenant = UUID.fromString(args[0]);
		ConfigurableApplicationContext instance = new SpringApplicationBuilder(MoverTestApplication.class)
			.web(WebApplicationType.NONE)
			.run(Arrays.copyOfRange(args, 1, args.length));
		System.out.println("ERASING");
		System.out.flush();
		instance.getBean(TenantEraser.class).erase(tenant);
		System.out.println("DONE");
		System.out.flush();
		System.exit(0);
	}

}
