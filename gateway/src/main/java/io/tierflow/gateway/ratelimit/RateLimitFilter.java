package io.tierflow.gateway.ratelimit;

import java.io.IOException;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

import io.tierflow.tenancy.context.TenantContext;
import io.tierflow.tenancy.placement.Tier;
import io.tierflow.tenancy.web.Problems;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.http.HttpStatus;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Limits each tenant's requests by its tier before they are routed: runs after Spring
 * Security has verified the token and bound the tenant. Requests for no tenant (public
 * paths, system admins acting for none) pass unlimited. Every limited answer carries
 * {@code RateLimit-Limit}, {@code RateLimit-Remaining} and {@code RateLimit-Reset}; a
 * refused one is a 429 problem with {@code Retry-After}. When the shared buckets cannot
 * be reached, requests pass unlimited (counted in
 * {@code tierflow.gateway.rate_limit.failures}): the limiter protects the services, it
 * must not become the reason they are unreachable.
 */
public class RateLimitFilter extends OncePerRequestFilter {

	private static final Logger log = LoggerFactory.getLogger(RateLimitFilter.class);

	/** The largest rate or burst a token's limit claim may ask for. */
	static final long MAX_LIMIT = 1_000_000;

	private final TenantRateLimiter limiter;

	private final RateLimitProperties properties;

	private final Counter failures;

	public RateLimitFilter(TenantRateLimiter limiter, RateLimitProperties properties, MeterRegistry meters) {
		this.limiter = limiter;
		this.properties = properties;
		this.failures = Counter.builder("tierflow.gateway.rate_limit.failures")
			.description("Requests let through unlimited because the shared buckets could not be reached")
			.register(meters);
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		UUID tenant = TenantContext.current().orElse(null);
		if (!this.properties.enabled() || tenant == null) {
			chain.doFilter(request, response);
			return;
		}
		TenantRateLimiter.Decision decision;
		try {
			decision = this.limiter.tryAcquire(tenant, this.properties.limitOf(tenant, tierOf(tenant), ownLimit()));
		}
		catch (RuntimeException ex) {
			// The buckets' database is unreachable: the services stay reachable, without
			// limits, rather than every tenant being refused; counted and logged.
			this.failures.increment();
			log.warn("Rate limit not applied, the request passes: {}", ex.toString());
			chain.doFilter(request, response);
			return;
		}
		response.setHeader("RateLimit-Limit", Long.toString(decision.limit().burst()));
		response.setHeader("RateLimit-Remaining", Long.toString(Math.max(0, decision.remaining())));
		response.setHeader("RateLimit-Reset", Long.toString(ceilSeconds(decision.reset().toNanos())));
		if (decision.allowed()) {
			chain.doFilter(request, response);
			return;
		}
		long retryAfter = Math.max(1, ceilSeconds(decision.retryAfter().toNanos()));
		response.setHeader("Retry-After", Long.toString(retryAfter));
		Problems.write(request, response, HttpStatus.TOO_MANY_REQUESTS, "Too many requests",
				String.format(Locale.ROOT,
						"The tenant's limit is %d requests per second with bursts of %d; retry after %d s",
						decision.limit().requestsPerSecond(), decision.limit().burst(), retryAfter));
	}

	/** The token's tier claim, or the default tier when it has none or an unknown one. */
	private Tier tierOf(UUID tenant) {
		Authentication auth = SecurityContextHolder.getContext().getAuthentication();
		if (auth instanceof JwtAuthenticationToken jwt) {
			String claim = jwt.getToken().getClaimAsString(this.properties.tierClaim());
			if (claim != null) {
				try {
					return Tier.valueOf(claim.trim().toUpperCase(Locale.ROOT));
				}
				catch (IllegalArgumentException ex) {
					// not a tier: the default applies
				}
			}
		}
		return this.properties.defaultTier();
	}

	/**
	 * The token's own limit claim (set for the tenant by a system admin), or null when it
	 * has none or one that is not a pair of whole numbers in range.
	 */
	private RateLimitProperties.Limit ownLimit() {
		Authentication auth = SecurityContextHolder.getContext().getAuthentication();
		if (auth instanceof JwtAuthenticationToken jwt
				&& jwt.getToken().getClaims().get(this.properties.limitClaim()) instanceof Map<?, ?> claim
				&& claim.get("requests_per_second") instanceof Number rate && claim.get("burst") instanceof Number burst
				&& inRange(rate) && inRange(burst)) {
			return new RateLimitProperties.Limit(rate.longValue(), burst.longValue());
		}
		return null;
	}

	private static boolean inRange(Number value) {
		return value.longValue() >= 1 && value.longValue() <= MAX_LIMIT && value.doubleValue() == value.longValue();
	}

	private static long ceilSeconds(long nanos) {
		return (nanos <= 0) ? 0 : (nanos + 999_999_999L) / 1_000_000_000L;
	}

}
