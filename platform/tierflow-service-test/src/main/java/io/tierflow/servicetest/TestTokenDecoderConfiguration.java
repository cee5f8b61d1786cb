package io.tierflow.servicetest;

import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.security.oauth2.jwt.JwtDecoder;

/** Makes a service under test trust {@link ServiceTestInfrastructure#TOKENS}. */
@TestConfiguration(proxyBeanMethods = false)
public class TestTokenDecoderConfiguration {

	@Bean
	JwtDecoder testJwtDecoder() {
		return ServiceTestInfrastructure.TOKENS.decoder();
	}

}
