package io.tierflow.mover;

import java.time.Duration;
import java.util.Arrays;
import java.util.UUID;

import io.tierflow.tenancy.placement.Tier;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A service instance in a process of its own that moves one tenant and prints each phase
 * as {@code PHASE <name>}: the one {@link TenantMoverCrashIT} kills with SIGKILL.
 * Arguments: tenant id, target tier, then the instance's properties as
 * {@code --name=value}.
 */
public final class MoverProcess {

	private MoverProcess() {
	}

	public static void main(String[] args) throws Exception {
		UUID tenant = UUID.fromString(args[0]);
		Tier tier = Tier.valueOf(args[1]);
		ConfigurableApplicationContext instance = new SpringApplicationBuilder(MoverTestApplication.class)
			.web(WebApplicationType.NONE)
			.run(Arrays.copyOfRange(args, 2, args.length));
		MoveReport report = instance.getBean(TenantMover.class)
			.move(tenant, tier, "eu", null,
					new TenantMover.Options(Duration.ofMillis(500), Duration.ofMinutes(2), Duration.ofSeconds(2),
							Duration.ofMillis(500))
						.removingSourceAfter(Duration.ofSeconds(5)),
					(move, phase, changes, lag) -> {
						System.out.println("PHASE " + phase + " " + changes);
						System.out.flush();
					});
		System.out.println("DONE " + report.succeeded());
		System.out.flush();
		System.exit(0);
	}

}
