package io.tierflow.tenant.identity;

import java.net.URI;
import java.util.Set;

import io.tierflow.tenancy.security.TierflowSecurityProperties;
import io.tierflow.tenancy.security.TokenIssuer;
import io.tierflow.tenant.token.SigningKeySource;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.http.MediaType;
import org.springframework.jdbc.core.JdbcOperations;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.oauth2.server.authorization.JdbcOAuth2AuthorizationService;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationService;
import org.springframework.security.oauth2.server.authorization.client.JdbcRegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.settings.AuthorizationServerSettings;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.LoginUrlAuthenticationEntryPoint;
import org.springframework.security.web.util.matcher.MediaTypeRequestMatcher;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * tenant-service as the platform's OAuth 2.1 authorization server (Spring Authorization
 * Server): the token, authorization, revocation, introspection and JWK set endpoints,
 * with registered clients and authorizations kept in its database so that every instance
 * sees the same, and a sign-in form for the tenants' users. Tokens are signed with the
 * rotating {@link SigningKeySource} keys and carry {@link TokenClaims}.
 *
 * <p>
 * Three filter chains, first match wins: the authorization server's endpoints, the
 * sign-in form (a session, only for the way from {@code /oauth2/authorize} to the form
 * and back), and the platform's stateless API chain for everything else.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(IdentityProperties.class)
class AuthorizationServerConfiguration {

	/**
	 * Where the sign-in form is; the default page Spring Security renders, and its style.
	 */
	private static final String[] SIGN_IN_PATHS = { "/login", "/logout", "/default-ui.css" };

	@Bean
	@Order(1)
	SecurityFilterChain authorizationServerChain(HttpSecurity http, RegisteredClientRepository clients,
			AuthorizationServerSettings settings) throws Exception {
		http.oauth2AuthorizationServer((server) -> {
			http.securityMatcher(server.getEndpointsMatcher());
			server.oidc(Customizer.withDefaults());
			// The console in the browser revokes its token at sign-out with its client
			// id.
			server.clientAuthentication((clientAuthentication) -> clientAuthentication
				.authenticationConverter(PublicClientRevocation.converter(settings))
				.authenticationProvider(PublicClientRevocation.provider(clients)));
		});
		http.authorizeHttpRequests((a) -> a.anyRequest().authenticated())
			// A browser on its way to /oauth2/authorize signs in first; anything else
			// gets
			// the endpoint's own OAuth2 error.
			.exceptionHandling((e) -> e
				.defaultAuthenticationEntryPointFor(new LoginUrlAuthenticationEntryPoint("/login"), browser()));
		return http.build();
	}

	@Bean
	@Order(2)
	SecurityFilterChain signInChain(HttpSecurity http) throws Exception {
		http.securityMatcher(SIGN_IN_PATHS)
			.authorizeHttpRequests((a) -> a.anyRequest().permitAll())
			.formLogin(Customizer.withDefaults());
		return http.build();
	}

	/**
	 * Issues tokens as {@code tierflow.security.issuer}, the issuer every service checks:
	 * this server's public URL, which discovery
	 * ({@code /.well-known/openid-configuration}) publishes.
	 */
	@Bean
	AuthorizationServerSettings authorizationServerSettings(TokenIssuer tokens) {
		try {
			URI.create(tokens.issuer()).toURL();
		}
		catch (IllegalArgumentException | java.net.MalformedURLException ex) {
			throw new IllegalStateException("tierflow.security.issuer (" + tokens.issuer()
					+ ") must be tenant-service's public URL, as its authorization server publishes it");
		}
		return AuthorizationServerSettings.builder().issuer(tokens.issuer()).build();
	}

	@Bean
	RegisteredClientRepository registeredClientRepository(JdbcOperations jdbc) {
		return StorableLookups.clients(new JdbcRegisteredClientRepository(jdbc));
	}

	@Bean
	OAuth2AuthorizationService authorizationService(JdbcOperations jdbc, RegisteredClientRepository clients) {
		return StorableLookups.authorizations(new JdbcOAuth2AuthorizationService(jdbc, clients));
	}

	/** Users' passwords and clients' secrets: bcrypt today, others readable by prefix. */
	@Bean
	PasswordEncoder passwordEncoder() {
		return PasswordEncoderFactories.createDelegatingPasswordEncoder();
	}

	@Bean
	UserDetailsService tenantUserDetails(Accounts accounts, IdentityProperties identity) {
		return new TenantUserDetails(accounts, identity);
	}

	@Bean
	TokenClaims tokenClaims(Accounts accounts, SigningKeySource keys, TierflowSecurityProperties security,
			IdentityProperties identity) {
		return new TokenClaims(accounts, keys, security, identity);
	}

	@Bean
	ConsoleClient consoleClient(IdentityProperties properties, RegisteredClientRepository clients, JdbcOperations jdbc,
			PlatformTransactionManager transactions) {
		return new ConsoleClient(properties, clients, jdbc, transactions);
	}

	private static MediaTypeRequestMatcher browser() {
		MediaTypeRequestMatcher matcher = new MediaTypeRequestMatcher(MediaType.TEXT_HTML);
		matcher.setIgnoredMediaTypes(Set.of(MediaType.ALL));
		return matcher;
	}

}
