package io.tierflow.servicetest.fuzz;

import io.tierflow.servicetest.ApiClient.Response;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What every answer to a bent request must be: below 500, and a refusal a problem+json
 * ({@code application/problem+json}) like every other error of the API. A failure shows
 * the answer and the request, cut to 300 characters.
 */
public final class NoServerErrors {

	private static final int SHOWN = 300;

	private NoServerErrors() {
	}

	/** Below 500, and a 4xx is problem+json. */
	public static void assertNoServerError(Response response, String request) {
		String shown = shown(request);
		assertThat(response.status()).as("%s for %s", response.body(), shown).isLessThan(500);
		if (response.status() >= 400) {
			assertThat(response.isProblem()).as("%s for %s", response.contentType(), shown).isTrue();
		}
	}

	/**
	 * Below 500 only: for paths that Tomcat or Spring Security's firewall may refuse (an
	 * encoded NUL or slash, say) with a 400 page of their own, before the application
	 * sees them.
	 */
	public static void assertBelow500(Response response, String request) {
		assertThat(response.status()).as("%s for %s", response.body(), shown(request)).isLessThan(500);
	}

	private static String shown(String request) {
		return (request.length() > SHOWN) ? request.substring(0, SHOWN) + "…" : request;
	}

}
