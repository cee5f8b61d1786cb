package io.tierflow.tenancy.security;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;

import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidatorResult;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtIssuerValidator;
import org.springframework.security.oauth2.jwt.JwtTimestampValidator;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.util.StringUtils;

/**
 * What every Tierflow service checks of a token beyond its signature, and the decoder
 * that checks it: {@code iss} is the configured issuer, {@code aud} names a configured
 * audience, {@code exp} is present and not past, {@code nbf} is not ahead (with the
 * configured clock skew). The signature is checked by Nimbus against the issuer's JWK set
 * with the configured asymmetric algorithms only, so {@code alg: none} and an HMAC token
 * "signed" with the public key are refused before any claim is read.
 */
public final class TokenValidation {

	private TokenValidation() {
	}

	/** The checks of {@code iss}, {@code aud}, {@code exp} and {@code nbf}. */
	public static OAuth2TokenValidator<Jwt> validator(String issuer, Collection<String> audiences, Duration skew) {
		Set<String> accepted = Set.copyOf(audiences);
		JwtTimestampValidator timestamps = new JwtTimestampValidator(skew);
		OAuth2TokenValidator<Jwt> expiry = (jwt) -> (jwt.getExpiresAt() != null) ? OAuth2TokenValidatorResult.success()
				: failure("The token has no exp claim");
		OAuth2TokenValidator<Jwt> audience = (jwt) -> {
			List<String> aud = jwt.getAudience();
			return (aud != null && aud.stream().anyMatch(accepted::contains)) ? OAuth2TokenValidatorResult.success()
					: failure("The token is not meant for this audience");
		};
		List<OAuth2TokenValidator<Jwt>> all = new ArrayList<>();
		all.add(expiry);
		all.add(timestamps);
		all.add(new JwtIssuerValidator(issuer));
		all.add(audience);
		return new DelegatingOAuth2TokenValidator<>(all);
	}

	/**
	 * The decoder of {@code properties}: keys from the JWK set URI
	 * ({@code fallbackJwkSetUri} when the properties name none), or discovered from the
	 * issuer's OpenID configuration when neither is set.
	 */
	public static JwtDecoder decoder(TierflowSecurityProperties properties, String fallbackJwkSetUri) {
		String jwkSetUri = StringUtils.hasText(properties.jwkSetUri()) ? properties.jwkSetUri() : fallbackJwkSetUri;
		NimbusJwtDecoder decoder;
		if (StringUtils.hasText(jwkSetUri)) {
			NimbusJwtDecoder.JwkSetUriJwtDecoderBuilder builder = NimbusJwtDecoder.withJwkSetUri(jwkSetUri);
			properties.algorithms().forEach((a) -> builder.jwsAlgorithm(SignatureAlgorithm.from(a)));
			decoder = builder.build();
		}
		else if (isUri(properties.issuer())) {
			// Resolved on first use, so a service starts while its provider is down.
			NimbusJwtDecoder.JwkSetUriJwtDecoderBuilder builder = NimbusJwtDecoder
				.withIssuerLocation(properties.issuer());
			properties.algorithms().forEach((a) -> builder.jwsAlgorithm(SignatureAlgorithm.from(a)));
			decoder = builder.build();
		}
		else {
			throw new IllegalStateException("No keys to verify tokens with: set tierflow.security.jwk-set-uri"
					+ " (or spring.security.oauth2.resourceserver.jwt.jwk-set-uri), or an https issuer URI as"
					+ " tierflow.security.issuer");
		}
		decoder.setJwtValidator(validator(properties.issuer(), properties.audiences(), properties.clockSkew()));
		return decoder;
	}

	private static boolean isUri(String issuer) {
		try {
			URI uri = URI.create(issuer);
			return ("https".equals(uri.getScheme()) || "http".equals(uri.getScheme())) && uri.getHost() != null;
		}
		catch (IllegalArgumentException ex) {
			return false;
		}
	}

	private static OAuth2TokenValidatorResult failure(String description) {
		return OAuth2TokenValidatorResult.failure(new OAuth2Error("invalid_token", description, null));
	}

}
