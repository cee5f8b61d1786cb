package io.tierflow.servicetest;

import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import java.util.stream.Collectors;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Valid values made from an OpenAPI description's schemas: an object with its required
 * properties, strings of the declared format ({@code uuid}, {@code email}, {@code date},
 * {@code date-time}), enum members, numbers within {@code minimum} and {@code maximum},
 * lengths within their bounds, and for a pattern the first word of {@code A|B|C} or a
 * made-up word that matches it. What it cannot make valid (a pattern none of its words
 * match, binary content) is an {@link Unsatisfiable}, never a guess: a request the
 * service would refuse as invalid (400) says nothing about its permissions, because
 * validation runs before method security.
 */
final class ExampleValues {

	/** {@code A|B|C}, optionally anchored or in a group. */
	private static final Pattern ALTERNATION = Pattern
		.compile("\\^?\\(?([A-Za-z0-9_.-]+)(\\|[A-Za-z0-9_.-]+)*\\)?\\$?");

	private static final int MAX_DEPTH = 12;

	private final JsonNode api;

	private final JsonMapper json;

	ExampleValues(JsonNode api, JsonMapper json) {
		this.api = api;
		this.json = json;
	}

	/**
	 * A valid value of {@code schema}.
	 * @param where what the value is for, in a message when it cannot be made
	 * @throws Unsatisfiable when no valid value can be made
	 */
	JsonNode of(JsonNode schema, String where) {
		return of(schema, where, 0);
	}

	/** A valid value of a parameter's schema, as it goes into a path or a query. */
	String text(JsonNode schema, String where) {
		JsonNode value = of(schema, where);
		return value.isString() ? value.asString() : value.toString();
	}

	private JsonNode of(JsonNode schema, String where, int depth) {
		if (depth > MAX_DEPTH) {
			throw new Unsatisfiable(where + " nests deeper than " + MAX_DEPTH + " levels");
		}
		schema = resolve(schema);
		if (schema.has("const")) {
			return schema.get("const");
		}
		if (schema.has("enum") && !schema.get("enum").isEmpty()) {
			return schema.get("enum").get(0);
		}
		for (String choice : new String[] { "oneOf", "anyOf" }) {
			if (schema.has(choice)) {
				Unsatisfiable last = null;
				for (JsonNode option : schema.get(choice)) {
					try {
						return of(option, where, depth + 1);
					}
					catch (Unsatisfiable ex) {
						last = ex;
					}
				}
				throw (last != null) ? last : new Unsatisfiable(where + ": " + choice + " offers nothing");
			}
		}
		if (schema.has("allOf")) {
			ObjectNode merged = this.json.createObjectNode();
			for (JsonNode part : schema.get("allOf")) {
				JsonNode value = of(part, where, depth + 1);
				if (!value.isObject()) {
					return value;
				}
				merged.setAll((ObjectNode) value);
			}
			merged.setAll((ObjectNode) object(schema, where, depth));
			return merged;
		}
		return switch (type(schema)) {
			case "object" -> object(schema, where, depth);
			case "array" -> array(schema, where, depth);
			case "string" -> this.json.getNodeFactory().stringNode(string(schema, where));
			case "integer" -> this.json.getNodeFactory().numberNode(number(schema));
			case "number" -> this.json.getNodeFactory().numberNode(number(schema));
			case "boolean" -> this.json.getNodeFactory().booleanNode(false);
			default -> throw new Unsatisfiable(where + " has a schema of type " + type(schema));
		};
	}

	private JsonNode object(JsonNode schema, String where, int depth) {
		ObjectNode object = this.json.createObjectNode();
		JsonNode properties = schema.path("properties");
		for (JsonNode required : schema.path("required")) {
			String name = required.asString();
			JsonNode property = properties.get(name);
			if (property == null) {
				throw new Unsatisfiable(where + " requires " + name + ", which it does not describe");
			}
			if (!resolve(property).path("readOnly").asBoolean(false)) {
				object.set(name, of(property, where + "." + name, depth + 1));
			}
		}
		return object;
	}

	private JsonNode array(JsonNode schema, String where, int depth) {
		ArrayNode array = this.json.createArrayNode();
		int size = Math.max(1, schema.path("minItems").asInt(0));
		if (schema.has("maxItems")) {
			size = Math.min(size, schema.get("maxItems").asInt());
		}
		JsonNode items = schema.path("items");
		for (int i = 0; i < size; i++) {
			array.add(
					of(items.isMissingNode() ? this.json.createObjectNode() : items, where + "[" + i + "]", depth + 1));
		}
		return array;
	}

	/**
	 * A value of the string's format, or a made-up word, unique per call, within the
	 * length bounds. With a pattern, the first of a few candidates that matches it:
	 * alternatives' first word, the word, the word without dashes, in letters only.
	 */
	private static String string(JsonNode schema, String where) {
		String format = schema.path("format").asString("");
		String suffix = UUID.randomUUID().toString().substring(0, 8);
		String word = "pm-" + suffix;
		String value = switch (format) {
			case "uuid" -> UUID.randomUUID().toString();
			case "email" -> word + "@example.com";
			case "date" -> LocalDate.now(ZoneOffset.UTC).toString();
			case "date-time" -> OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.SECONDS).toString();
			case "uri", "url" -> "https://example.com/" + word;
			case "binary" -> throw new Unsatisfiable(where + " is binary content");
			default -> word;
		};
		if (!schema.has("pattern")) {
			return bounded(value, schema);
		}
		String pattern = schema.get("pattern").asString();
		List<String> candidates = new ArrayList<>();
		if (ALTERNATION.matcher(pattern).matches()) {
			candidates.add(pattern.replaceAll("[\\^$()]", "").split("\\|")[0]);
		}
		candidates.add(value);
		candidates.add("pm" + suffix);
		candidates.add("pm"
				+ suffix.chars().mapToObj((c) -> String.valueOf((char) ('a' + c % 26))).collect(Collectors.joining()));
		Pattern compiled;
		try {
			compiled = Pattern.compile(pattern);
		}
		catch (PatternSyntaxException ex) {
			throw new Unsatisfiable(where + " has a pattern Java cannot read: " + pattern);
		}
		for (String candidate : candidates) {
			String bounded = bounded(candidate, schema);
			if (compiled.matcher(bounded).matches()) {
				return bounded;
			}
		}
		throw new Unsatisfiable(where + " must match the pattern " + pattern);
	}

	private static String bounded(String value, JsonNode schema) {
		if (schema.has("maxLength") && value.length() > schema.get("maxLength").asInt()) {
			value = value.substring(0, schema.get("maxLength").asInt());
		}
		StringBuilder padded = new StringBuilder(value);
		while (padded.length() < schema.path("minLength").asInt(0)) {
			padded.append('x');
		}
		return padded.toString();
	}

	/** 1, or the nearest value the bounds allow. */
	private static long number(JsonNode schema) {
		long value = 1;
		JsonNode exclusiveMinimum = schema.path("exclusiveMinimum");
		if (schema.has("minimum")) {
			long minimum = (long) Math.ceil(schema.get("minimum").asDouble());
			value = exclusiveMinimum.asBoolean(false) ? minimum + 1 : minimum;
		}
		if (exclusiveMinimum.isNumber()) {
			value = Math.max(value, (long) Math.floor(exclusiveMinimum.asDouble()) + 1);
		}
		if (schema.has("maximum")) {
			value = Math.min(value, (long) Math.floor(schema.get("maximum").asDouble()));
		}
		if (schema.path("exclusiveMaximum").isNumber()) {
			value = Math.min(value, (long) Math.ceil(schema.get("exclusiveMaximum").asDouble()) - 1);
		}
		return value;
	}

	/**
	 * The schema's type; OpenAPI 3.1 may give several ({@code ["string", "null"]}), of
	 * which the first that is not {@code null} is taken.
	 */
	private static String type(JsonNode schema) {
		JsonNode type = schema.path("type");
		if (type.isArray()) {
			for (JsonNode one : type) {
				if (!"null".equals(one.asString())) {
					return one.asString();
				}
			}
		}
		if (type.isString()) {
			return type.asString();
		}
		if (schema.has("items")) {
			return "array";
		}
		return "object";
	}

	/** The schema a {@code $ref} names, followed to the end. */
	JsonNode resolve(JsonNode schema) {
		JsonNode resolved = schema;
		for (int i = 0; resolved.has("$ref"); i++) {
			String ref = resolved.get("$ref").asString();
			if (!ref.startsWith("#/") || i > MAX_DEPTH) {
				throw new Unsatisfiable("cannot follow the reference " + ref);
			}
			JsonNode target = this.api.at(ref.substring(1));
			if (target.isMissingNode()) {
				throw new Unsatisfiable("the reference " + ref + " names nothing");
			}
			resolved = merge(resolved, target);
		}
		return resolved;
	}

	/**
	 * OpenAPI 3.1 lets a reference carry keywords of its own beside {@code $ref}; they
	 * are kept over the target's.
	 */
	private JsonNode merge(JsonNode reference, JsonNode target) {
		ObjectNode merged = this.json.createObjectNode();
		merged.setAll((ObjectNode) target.deepCopy());
		for (Iterator<Map.Entry<String, JsonNode>> it = reference.properties().iterator(); it.hasNext();) {
			Map.Entry<String, JsonNode> entry = it.next();
			if (!entry.getKey().equals("$ref")) {
				merged.set(entry.getKey(), entry.getValue());
			}
		}
		return merged;
	}

	/** No valid value can be made for what it names. */
	static final class Unsatisfiable extends RuntimeException {

		Unsatisfiable(String message) {
			super(message);
		}

	}

}
