package io.tierflow.tenant.tenant;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Offboarding of tenants.
 *
 * @param eraseGrace how long a deleted tenant stays restorable before its data is erased
 * ({@code DELETE ...?immediate=true} skips it); zero or more
 * @param eraseCheck how often tenant-service looks for tenants whose grace period has
 * ended; more than zero. A tenant is erased at most this long after its grace period.
 */
@ConfigurationProperties("tierflow.tenants")
public record OffboardingProperties(@DefaultValue("7d") Duration eraseGrace, @DefaultValue("30s") Duration eraseCheck) {

	public OffboardingProperties {
		if (eraseGrace.isNegative()) {
			throw new IllegalArgumentException("tierflow.tenants.erase-grace must not be negative: " + eraseGrace);
		}
		if (eraseCheck.isNegative() || eraseCheck.isZero()) {
			throw new IllegalArgumentException("tierflow.tenants.erase-check must be more than zero: " + eraseCheck);
		}
	}

}
