package io.tierflow.billing;

import io.tierflow.servicetest.ApiClient;
import io.tierflow.servicetest.ApiClient.Response;
import io.tierflow.servicetest.ServiceTestInfrastructure;
import io.tierflow.servicetest.fuzz.BodyRefusalContract;
import io.tierflow.servicetest.fuzz.HostileInputs;
import io.tierflow.servicetest.fuzz.HostileInputs.Texts;
import io.tierflow.servicetest.fuzz.HostileInputs.ContentTypes;
import io.tierflow.servicetest.fuzz.ServiceUnderFuzz;
import io.tierflow.tenancy.placement.Tier;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

import static io.tierflow.servicetest.fuzz.HostileInputs.inPath;
import static io.tierflow.servicetest.fuzz.HostileInputs.inQuery;
import static io.tierflow.servicetest.fuzz.NoServerErrors.assertBelow500;
import static io.tierflow.servicetest.fuzz.NoServerErrors.assertNoServerError;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Generated requests for every endpoint, shaped after its request types (NewMeter, ids,
 * paging) but bent ({@link HostileInputs}), with odd content types too. Whatever comes
 * in, the answer is never a 5xx, and bodies it cannot take are refused as
 * {@link BodyRefusalContract} says: a body over the limit is a 413 however it is sent.
 * Failing samples are not shrunk: each step would be more requests, and the sample as
 * generated is reported.
 */
class RequestFuzzIT implements BodyRefusalContract {

	private static final String METERS = "/api/v1/meters";

	/** Strings around the body limit (64 KB). */
	private static final HostileInputs JSON = HostileInputs.json().withLongStrings(60_000, 70_000);

	private static ServiceUnderFuzz service;

	private static ApiClient api;

	private static String token;

	@BeforeContainer
	static void start() {
		service = ServiceUnderFuzz.tenantDataService(BillingServiceApplication.class, "billing", "billfuzz");
		api = service.api();
		// A tenant admin: the role that may create meters (billing:write).
		token = ServiceTestInfrastructure.token(service.provision(Tier.SHARED), "TENANT_ADMIN");
		Response created = api.post(METERS, token, "{\"key\": \"cpu\", \"unit\": \"s\"}");
		assertThat(created.status()).as(created.body()).isEqualTo(201);
	}

	@AfterContainer
	static void stop() {
		if (service != null) {
			service.close();
		}
	}

	@Property(tries = 200, shrinking = ShrinkingMode.OFF)
	void creatingAMeterIsNeverAServerError(@ForAll("meters") String body) {
		assertNoServerError(api.post(METERS, token, body), body);
	}

	@Property(tries = 40, shrinking = ShrinkingMode.OFF)
	void aBodyOfAnyContentTypeIsNeverAServerError(@ForAll(supplier = ContentTypes.class) String contentType,
			@ForAll("meters") String body) {
		assertNoServerError(api.post(METERS, token, body, "Content-Type", contentType), contentType + " " + body);
	}

	@Property(tries = 80, shrinking = ShrinkingMode.OFF)
	void readingByIdOrPageIsNeverAServerError(@ForAll(supplier = Texts.class) String id,
			@ForAll(supplier = Texts.class) String page, @ForAll(supplier = Texts.class) String size) {
		assertBelow500(api.get(METERS + "/" + inPath(id), token), id);
		assertBelow500(api.get("/api/v1/invoices/" + inPath(id), token), id);
		String paging = "?page=" + inQuery(page) + "&size=" + inQuery(size);
		assertNoServerError(api.get(METERS + paging, token), paging);
		assertNoServerError(api.get("/api/v1/invoices" + paging, token), paging);
		assertNoServerError(api.get("/api/v1/usage/current" + paging, token), paging);
	}

	@Override
	public JsonEndpoint refusingEndpoint() {
		return new JsonEndpoint(service, METERS, token,
				"{\"key\": \"big\", \"unit\": \"s\", \"description\": \"" + "x".repeat(70_000) + "\"}", 65536,
				"{\"key\": \"small\", \"unit\": \"s\"}");
	}

	@Provide
	Arbitrary<String> meters() {
		Arbitrary<String> key = Arbitraries.oneOf(keys(), JSON.values());
		Arbitrary<String> unit = Arbitraries.oneOf(JSON.strings(), JSON.values());
		Arbitrary<String> description = Arbitraries.oneOf(JSON.strings(), JSON.values());
		return Arbitraries.oneOf(
				Combinators.combine(key, unit, description)
					.as((k, u, d) -> "{\"key\": " + k + ", \"unit\": " + u + ", \"description\": " + d + "}"),
				JSON.values(), HostileInputs.brokenJson("key", "{\"key\": \"\\ud800\", \"unit\": \"s\"}"));
	}

	/** Keys of about the accepted shape, and some far from it. */
	private Arbitrary<String> keys() {
		return Arbitraries
			.oneOf(Arbitraries.strings().withCharRange('a', 'z').ofMinLength(1).ofMaxLength(70),
					Arbitraries.strings().ofMaxLength(70), Arbitraries.of("a", "cpu.seconds", "A", "1a", "a\u0000", ""))
			.map(HostileInputs::quote);
	}

}
