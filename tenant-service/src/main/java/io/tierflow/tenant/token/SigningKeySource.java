package io.tierflow.tenant.token;

import java.util.ArrayList;
import java.util.List;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;

/**
 * The signing keys as the authorization server sees them: every published key (its JWK
 * set endpoint serves the same keys as {@code /.well-known/jwks.json}), and the id of the
 * one that signs, which each token names in its header so that the encoder picks it among
 * the published ones.
 */
public final class SigningKeySource implements JWKSource<SecurityContext> {

	private final SigningKeys keys;

	SigningKeySource(SigningKeys keys) {
		this.keys = keys;
	}

	@Override
	public List<JWK> get(JWKSelector selector, SecurityContext context) {
		return selector.select(new JWKSet(new ArrayList<JWK>(this.keys.keys())));
	}

	/** The key new tokens are signed with. */
	public String signingKeyId() {
		return this.keys.keys().get(0).getKeyID();
	}

}
