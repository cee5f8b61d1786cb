package io.tierflow.servicetest;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.tierflow.servicetest.ExampleValues.Unsatisfiable;
import io.tierflow.tenancy.security.RolePermissions;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Calls every endpoint of a running service with a token of every role and compares the
 * answers with the README's "Permissions" table: a role without the endpoint's permission
 * must be refused (403), a role with it must not be (neither 401 nor 403) and must not
 * fail (5xx). The endpoints are those of the service's OpenAPI description
 * ({@code /v3/api-docs}), so an endpoint missing from the table fails the check rather
 * than go unchecked, as does a row for an endpoint the service does not have. Each
 * endpoint is also called without a token: 401 unless the table says {@code public}. The
 * README's role table must say what {@link RolePermissions} grants.
 *
 * <p>
 * Requests are valid, so that a refusal can only be the permission's: path and query
 * parameters and JSON bodies are made from the description ({@link ExampleValues}), a
 * tenant's id in a path ({@code /tenants/{id}}) is the caller's tenant, any other id a
 * random one (a missing resource is a 404, which says the permission passed). A body that
 * cannot be made, a multipart upload say, needs a {@link #body body of its own}, or the
 * check fails naming the endpoint. Roles are tried least privileged first, so that a
 * system admin deleting or suspending the tenant comes after the others' attempts.
 */
public final class PermissionMatrix {

	/** The roles checked, least privileged first. */
	public static final List<String> ROLES = List.of("READ_ONLY", "USER", "TENANT_ADMIN", "SYSTEM_ADMIN");

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final List<String> METHODS = List.of("get", "put", "post", "delete", "patch");

	/** A path variable that names a tenant: the one right after {@code /tenants/}. */
	private static final Pattern TENANT_VARIABLE = Pattern.compile("/tenants/\\{([^}/]+)}");

	private static final Pattern VARIABLE = Pattern.compile("\\{([^}/]+)}");

	private final String service;

	private final String base;

	private final HttpClient http = HttpClient.newBuilder()
		.version(HttpClient.Version.HTTP_1_1)
		.connectTimeout(Duration.ofSeconds(5))
		.build();

	private final Map<String, Supplier<Body>> bodies = new HashMap<>();

	private BiFunction<UUID, String, String> tokens = ServiceTestInfrastructure::token;

	private Supplier<UUID> tenants;

	private boolean tenantPerOperation;

	private RolePermissions permissions = new RolePermissions(null);

	private Path readme;

	private PermissionMatrix(String service, int port) {
		this.service = service;
		this.base = "http://localhost:" + port;
	}

	/**
	 * The matrix of a service listening on {@code port}.
	 * @param service the service's heading in the README's "Permissions" section
	 * ({@code simulation-service})
	 */
	public static PermissionMatrix of(String service, int port) {
		return new PermissionMatrix(service, port);
	}

	/**
	 * The tenant the tokens are for, provisioned and ready; asked once, or once per
	 * endpoint after {@link #tenantPerOperation()}.
	 */
	public PermissionMatrix tenant(Supplier<UUID> tenants) {
		this.tenants = tenants;
		return this;
	}

	/**
	 * A fresh tenant for every endpoint: for a service whose endpoints change the tenant
	 * itself (suspend, delete it), which would change the answers to later calls.
	 */
	public PermissionMatrix tenantPerOperation() {
		this.tenantPerOperation = true;
		return this;
	}

	/**
	 * How a token of a role of a tenant is made; by default
	 * {@link ServiceTestInfrastructure#token}.
	 */
	public PermissionMatrix tokens(BiFunction<UUID, String, String> tokens) {
		this.tokens = tokens;
		return this;
	}

	/**
	 * What the roles grant in the service under test, when it is not the defaults.
	 */
	public PermissionMatrix permissions(RolePermissions permissions) {
		this.permissions = permissions;
		return this;
	}

	/**
	 * The README; by default the first {@code README.md} up from the working directory.
	 */
	public PermissionMatrix readme(Path readme) {
		this.readme = readme;
		return this;
	}

	/**
	 * The body of an endpoint whose body cannot be made from its description (a multipart
	 * upload, a field with a pattern), made afresh for every call.
	 * @param operation method and path as in the README ({@code POST /api/v1/files})
	 */
	public PermissionMatrix body(String operation, Supplier<Body> body) {
		this.bodies.put(operation, body);
		return this;
	}

	/**
	 * Calls every endpoint as every role, and without a token, and prints what each
	 * answered.
	 * @return the number of calls made
	 * @throws AssertionError listing every endpoint missing from the table or from the
	 * service, every body that could not be made, and every answer that broke the table
	 */
	public int verify() {
		Path readmePath = (this.readme != null) ? this.readme : findReadme();
		PermissionTable table = PermissionTable.read(readmePath, this.service);
		JsonNode api = JSON.readTree(send("GET", "/v3/api-docs", null, null).body());
		ExampleValues values = new ExampleValues(api, JSON);
		List<String> problems = new ArrayList<>(roleTableProblems(table));

		Map<String, JsonNode> operations = operations(api);
		for (String operation : operations.keySet()) {
			if (!table.endpoints().containsKey(operation)) {
				problems.add(operation + " is not in the README's Permissions table: add it to README's Permissions"
						+ " table (### " + this.service + ") with the permission it requires, or public");
			}
		}
		for (String row : table.endpoints().keySet()) {
			if (!operations.containsKey(row)) {
				problems.add("The README's Permissions table lists " + row + ", which " + this.service
						+ " does not serve (its OpenAPI description has no such operation)");
			}
		}

		UUID sharedTenant = this.tenantPerOperation ? null : tenant();
		StringBuilder summary = new StringBuilder();
		int calls = 0;
		for (Map.Entry<String, JsonNode> entry : operations.entrySet()) {
			String operation = entry.getKey();
			String permission = table.endpoints().get(operation);
			if (permission == null) {
				continue;
			}
			UUID tenant = this.tenantPerOperation ? tenant() : sharedTenant;
			List<Integer> statuses = new ArrayList<>();
			try {
				Request anonymous = request(operation, entry.getValue(), tenant, values);
				HttpResponse<String> answer = send(anonymous.method(), anonymous.path(), null, anonymous.body());
				calls++;
				statuses.add(answer.statusCode());
				boolean isPublic = PermissionTable.PUBLIC.equals(permission);
				if (isPublic ? refusedOrFailed(answer.statusCode()) : answer.statusCode() != 401) {
					problems.add(mismatch(operation, "no token", permission, isPublic ? "not 401, 403 or 5xx" : "401",
							answer));
				}
				for (String role : ROLES) {
					boolean granted = isPublic || this.permissions.permissionsOf(role).contains(permission);
					Request call = request(operation, entry.getValue(), tenant, values);
					answer = send(call.method(), call.path(), this.tokens.apply(tenant, role), call.body());
					calls++;
					statuses.add(answer.statusCode());
					if (granted ? refusedOrFailed(answer.statusCode()) : answer.statusCode() != 403) {
						problems.add(
								mismatch(operation, role, permission, granted ? "not 401, 403 or 5xx" : "403", answer));
					}
				}
			}
			catch (Unsatisfiable ex) {
				problems.add(operation + ": no valid request can be made from its OpenAPI description ("
						+ ex.getMessage() + "); give it a body of its own in the test (PermissionMatrix.body)");
			}
			summary.append(String.format("  %-58s %-18s %s%n", operation, permission, statuses));
		}
		System.out.printf(
				"Permission matrix of %s: %d operations x %d roles (and no token), %d calls,"
						+ " %d problems%n  %-58s %-18s [no token, %s]%n%s",
				this.service, operations.size(), ROLES.size(), calls, problems.size(), "operation", "permission",
				String.join(", ", ROLES), summary);
		if (!problems.isEmpty()) {
			throw new AssertionError(this.service + " does not answer as the README's Permissions table says:\n  "
					+ String.join("\n  ", problems));
		}
		return calls;
	}

	private List<String> roleTableProblems(PermissionTable table) {
		List<String> problems = new ArrayList<>();
		Set<String> all = new LinkedHashSet<>();
		ROLES.forEach((role) -> all.addAll(this.permissions.permissionsOf(role)));
		for (String permission : all) {
			Set<String> holders = new LinkedHashSet<>();
			ROLES.stream().filter((r) -> this.permissions.permissionsOf(r).contains(permission)).forEach(holders::add);
			Set<String> documented = table.grants().get(permission);
			if (documented == null) {
				problems.add("The README's role table has no row for " + permission + ", held by " + holders);
			}
			else if (!documented.equals(holders)) {
				problems.add("The README's role table gives " + permission + " to " + documented
						+ ", tierflow.security.role-permissions to " + holders);
			}
		}
		for (String permission : table.grants().keySet()) {
			if (!all.contains(permission)) {
				problems.add("The README's role table lists " + permission + ", which no role holds");
			}
		}
		for (Map.Entry<String, String> row : table.endpoints().entrySet()) {
			if (!row.getValue().equals(PermissionTable.PUBLIC) && !all.contains(row.getValue())) {
				problems.add(row.getKey() + " requires " + row.getValue() + ", which no role holds");
			}
		}
		return problems;
	}

	/** Every operation of the description, by method and path, in path order. */
	private static Map<String, JsonNode> operations(JsonNode api) {
		Map<String, JsonNode> operations = new TreeMap<>((a, b) -> {
			int byPath = a.substring(a.indexOf(' ')).compareTo(b.substring(b.indexOf(' ')));
			return (byPath != 0) ? byPath : a.compareTo(b);
		});
		api.path("paths").forEachEntry((path, item) -> {
			for (String method : METHODS) {
				if (item.has(method)) {
					operations.put(method.toUpperCase() + " " + path, item.get(method));
				}
			}
		});
		return operations;
	}

	/** A valid request for the operation, made afresh: ids and names differ per call. */
	private Request request(String operation, JsonNode description, UUID tenant, ExampleValues values) {
		String method = operation.substring(0, operation.indexOf(' '));
		String template = operation.substring(operation.indexOf(' ') + 1);
		Map<String, String> pathValues = new LinkedHashMap<>();
		Matcher tenantVariable = TENANT_VARIABLE.matcher(template);
		if (tenantVariable.find()) {
			pathValues.put(tenantVariable.group(1), tenant.toString());
		}
		StringBuilder query = new StringBuilder();
		for (JsonNode parameter : description.path("parameters")) {
			JsonNode p = values.resolve(parameter);
			String name = p.path("name").asString();
			String where = operation + " parameter " + name;
			switch (p.path("in").asString()) {
				case "path" -> pathValues.computeIfAbsent(name, (n) -> values.text(p.path("schema"), where));
				case "query" -> {
					if (p.path("required").asBoolean(false)) {
						query.append(query.isEmpty() ? "?" : "&")
							.append(encode(name))
							.append('=')
							.append(encode(values.text(p.path("schema"), where)));
					}
				}
				default -> {
					if (p.path("required").asBoolean(false)) {
						throw new Unsatisfiable(where + " is a required " + p.path("in").asString() + " parameter");
					}
				}
			}
		}
		Matcher variables = VARIABLE.matcher(template);
		StringBuilder path = new StringBuilder();
		while (variables.find()) {
			String value = pathValues.getOrDefault(variables.group(1), UUID.randomUUID().toString());
			variables.appendReplacement(path, Matcher.quoteReplacement(encode(value)));
		}
		variables.appendTail(path);
		return new Request(method, path + query.toString(), body(operation, description, values));
	}

	private Body body(String operation, JsonNode description, ExampleValues values) {
		Supplier<Body> own = this.bodies.get(operation);
		if (own != null) {
			return own.get();
		}
		JsonNode requestBody = description.path("requestBody");
		if (requestBody.isMissingNode()) {
			return null;
		}
		requestBody = values.resolve(requestBody);
		boolean required = requestBody.path("required").asBoolean(false);
		JsonNode schema = requestBody.path("content").path("application/json").path("schema");
		if (schema.isMissingNode()) {
			if (required) {
				throw new Unsatisfiable("its body is " + requestBody.path("content").propertyNames());
			}
			return null;
		}
		try {
			return Body.json(values.of(schema, "the body").toString());
		}
		catch (Unsatisfiable ex) {
			if (required) {
				throw ex;
			}
			// An optional body that cannot be made is left out.
			return null;
		}
	}

	private UUID tenant() {
		if (this.tenants == null) {
			throw new IllegalStateException("No tenant: call PermissionMatrix.tenant(...) first");
		}
		return this.tenants.get();
	}

	private HttpResponse<String> send(String method, String path, String token, Body body) {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(this.base + path))
			.timeout(Duration.ofSeconds(30));
		if (token != null) {
			request.header("Authorization", "Bearer " + token);
		}
		if (body != null) {
			request.header("Content-Type", body.contentType())
				.method(method, HttpRequest.BodyPublishers.ofByteArray(body.content()));
		}
		else {
			request.method(method, HttpRequest.BodyPublishers.noBody());
		}
		try {
			return this.http.send(request.build(), HttpResponse.BodyHandlers.ofString());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(method + " " + path, ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	private static boolean refusedOrFailed(int status) {
		return status == 401 || status == 403 || status >= 500;
	}

	private static String mismatch(String operation, String caller, String permission, String expected,
			HttpResponse<String> answer) {
		String body = answer.body();
		if (body.length() > 200) {
			body = body.substring(0, 200) + "…";
		}
		return operation + " (" + permission + ") as " + caller + ": expected " + expected + ", got "
				+ answer.statusCode() + " " + body;
	}

	private static String encode(String value) {
		return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
	}

	private static Path findReadme() {
		for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
			Path readme = dir.resolve("README.md");
			try {
				if (Files.isRegularFile(readme) && Files.readString(readme).contains(PermissionTable.SECTION)) {
					return readme;
				}
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}
		throw new AssertionError("No README.md with a \"" + PermissionTable.SECTION + "\" section above "
				+ Path.of("").toAbsolutePath());
	}

	private record Request(String method, String path, Body body) {
	}

	/** A request body: its content type and bytes. */
	public record Body(String contentType, byte[] content) {

		public static Body json(String json) {
			return new Body("application/json", json.getBytes(StandardCharsets.UTF_8));
		}

		/**
		 * A {@code multipart/form-data} body of one file part and text fields.
		 */
		public static Body multipart(String filePart, String fileName, String fileType, byte[] file,
				Map<String, String> fields) {
			String boundary = "pm-" + UUID.randomUUID();
			ByteArrayOutputStream out = new ByteArrayOutputStream();
			fields.forEach((name, value) -> write(out, "--" + boundary + "\r\nContent-Disposition: form-data; name=\""
					+ name + "\"\r\n\r\n" + value + "\r\n"));
			write(out, "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + filePart + "\"; filename=\""
					+ fileName + "\"\r\nContent-Type: " + fileType + "\r\n\r\n");
			out.writeBytes(file);
			write(out, "\r\n--" + boundary + "--\r\n");
			return new Body("multipart/form-data; boundary=" + boundary, out.toByteArray());
		}

		private static void write(ByteArrayOutputStream out, String text) {
			out.writeBytes(text.getBytes(StandardCharsets.UTF_8));
		}

	}

}
