package io.tierflow.tenant.identity;

import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The authorization code flow with PKCE as a browser goes through it, over HTTP: the
 * authorization request, the sign-in form (with its CSRF token), back to the
 * authorization endpoint, and the code at the redirect URI.
 */
final class BrowserSignIn {

	private static final Pattern CSRF = Pattern.compile("name=\"_csrf\"[^>]*value=\"([^\"]+)\"");

	private BrowserSignIn() {
	}

	/**
	 * Signs in: authorization requests go to {@code server}, the sign-in form to
	 * {@code loginInstance} (another instance, or the same).
	 * @return the code (null when the form refused the credentials) and the verifier
	 */
	static SignIn signIn(String server, String loginInstance, String clientId, String redirect, String username,
			String password) throws Exception {
		HttpClient browser = HttpClient.newBuilder().cookieHandler(new CookieManager()).build();
		byte[] bytes = new byte[32];
		new SecureRandom().nextBytes(bytes);
		String verifier = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
		String challenge = Base64.getUrlEncoder()
			.withoutPadding()
			.encodeToString(MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII)));
		String authorize = server + "/oauth2/authorize?"
				+ form(Map.of("response_type", "code", "client_id", clientId, "redirect_uri", redirect, "scope",
						"openid", "code_challenge", challenge, "code_challenge_method", "S256", "state", "s1"));
		HttpResponse<String> toLogin = browser.send(
				HttpRequest.newBuilder(URI.create(authorize)).header("Accept", "text/html").build(),
				HttpResponse.BodyHandlers.ofString());
		assertThat(toLogin.statusCode()).as(toLogin.body()).isEqualTo(302);
		assertThat(toLogin.headers().firstValue("Location").orElseThrow()).endsWith("/login");
		HttpResponse<String> page = browser.send(HttpRequest.newBuilder(URI.create(loginInstance + "/login")).build(),
				HttpResponse.BodyHandlers.ofString());
		Matcher csrf = CSRF.matcher(page.body());
		assertThat(csrf.find()).as(page.body()).isTrue();
		HttpResponse<String> login = browser.send(HttpRequest.newBuilder(URI.create(loginInstance + "/login"))
			.header("Content-Type", "application/x-www-form-urlencoded")
			.POST(HttpRequest.BodyPublishers
				.ofString(form(Map.of("username", username, "password", password, "_csrf", csrf.group(1)))))
			.build(), HttpResponse.BodyHandlers.ofString());
		String back = login.headers().firstValue("Location").orElse("");
		if (!back.contains("/oauth2/authorize")) {
			return new SignIn(null, verifier);
		}
		// Back to the server, which finds the user signed in (by another instance,
		// maybe).
		URI backUri = URI.create(back);
		HttpResponse<String> redirected = browser.send(
				HttpRequest.newBuilder(URI.create(server + backUri.getRawPath() + "?" + backUri.getRawQuery())).build(),
				HttpResponse.BodyHandlers.ofString());
		String location = redirected.headers().firstValue("Location").orElseThrow();
		assertThat(location).startsWith(redirect).contains("state=s1");
		String code = null;
		for (String parameter : URI.create(location).getQuery().split("&")) {
			if (parameter.startsWith("code=")) {
				code = parameter.substring(5);
			}
		}
		return new SignIn(code, verifier);
	}

	static String form(Map<String, String> parameters) {
		return new LinkedHashMap<>(parameters).entrySet()
			.stream()
			.map((e) -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
					+ URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
			.collect(Collectors.joining("&"));
	}

	record SignIn(String code, String verifier) {
	}

}
