package io.tierflow.servicetest.fuzz;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ArbitrarySupplier;
import net.jqwik.api.Combinators;

/**
 * Bent parts of requests for property tests of an API's bounds (jqwik): JSON values of
 * the wrong type or nested thousands deep, strings long, odd (unicode, NUL, lone
 * surrogates) or past a body limit, numbers past every range, broken JSON, content types
 * a JSON endpoint does not take, and ids and paging parameters. A service's test builds
 * its own request shapes from them ({@code "{\"name\": " + name + "}"} with a name from
 * {@link #strings()} or {@link #values()}) and checks every answer with
 * {@link NoServerErrors}. The JSON parts come from an instance, sized to the service's
 * body limit with {@link #withLongStrings}; the rest are static.
 */
public final class HostileInputs {

	private final List<LengthRange> longStrings;

	private final List<String> moreNumbers;

	private HostileInputs(List<LengthRange> longStrings, List<String> moreNumbers) {
		this.longStrings = longStrings;
		this.moreNumbers = moreNumbers;
	}

	/** JSON parts with short strings only and the common bent numbers. */
	public static HostileInputs json() {
		return new HostileInputs(List.of(), List.of());
	}

	/**
	 * These parts, with strings of {@code a}-{@code z} of {@code min} to {@code max}
	 * characters besides: sized around a body limit, so that bodies reach it and pass it.
	 */
	public HostileInputs withLongStrings(int min, int max) {
		List<LengthRange> ranges = new ArrayList<>(this.longStrings);
		ranges.add(new LengthRange(min, max));
		return new HostileInputs(List.copyOf(ranges), this.moreNumbers);
	}

	/** These parts, with the service's own boundary numbers (a maximum, one past it). */
	public HostileInputs withNumbers(String... numbers) {
		List<String> all = new ArrayList<>(this.moreNumbers);
		all.addAll(List.of(numbers));
		return new HostileInputs(this.longStrings, List.copyOf(all));
	}

	/**
	 * JSON strings: any text up to 2,000 characters, any code points (NUL, lone
	 * surrogates) up to 50, and the long ones.
	 */
	public Arbitrary<String> strings() {
		List<Arbitrary<String>> texts = new ArrayList<>(
				List.of(Arbitraries.strings().ofMaxLength(2000), Arbitraries.strings().all().ofMaxLength(50)));
		for (LengthRange range : this.longStrings) {
			texts.add(Arbitraries.strings().withCharRange('a', 'z').ofMinLength(range.min()).ofMaxLength(range.max()));
		}
		return Arbitraries.oneOf(texts).map(HostileInputs::quote);
	}

	/**
	 * JSON numbers: any long, any double (an infinite one as {@code 1e999}), and numbers
	 * past every range: 400-digit exponents, 5,000 digits, negative zero.
	 */
	public Arbitrary<String> numbers() {
		List<String> bent = new ArrayList<>(List.of("0", "-0", "1e400", "-1e400", "123456789012345678901234567890",
				"1e-400", "0.5", "9".repeat(5000), "1" + "0".repeat(400) + ".5"));
		bent.addAll(this.moreNumbers);
		return Arbitraries.oneOf(Arbitraries.longs().map(String::valueOf),
				Arbitraries.doubles().map((d) -> Double.isFinite(d) ? String.valueOf(d) : "1e999"),
				Arbitraries.of(bent));
	}

	/**
	 * Any JSON value, for any field, which is then mostly of the wrong type: literals,
	 * empty containers, numbers, strings, and arrays or objects nested up to 5,000 deep.
	 */
	public Arbitrary<String> values() {
		Arbitrary<String> deep = Combinators
			.combine(Arbitraries.integers().between(1, 5000), Arbitraries.of(true, false))
			.as((depth, array) -> array ? "[".repeat(depth) + "]".repeat(depth)
					: "{\"a\":".repeat(depth) + "1" + "}".repeat(depth));
		return Arbitraries.oneOf(Arbitraries.of("null", "true", "false", "[]", "{}", "\"\"", "[null]", "{\"\":{}}"),
				numbers(), strings(), deep);
	}

	/**
	 * Bodies that are not quite JSON: empty, cut short, closed twice, a {@code field}
	 * given twice, a lone surrogate or an escaped NUL in it, NUL itself, and any short
	 * text; with {@code more} such bodies of the service's own.
	 */
	public static Arbitrary<String> brokenJson(String field, String... more) {
		String name = quote(field);
		List<String> broken = new ArrayList<>(List.of("", "{", "{" + name + ":", "[1,", "{" + name + ": \"a\"}}",
				"\u0000", "nul", "{" + name + ": \"a\", " + name + ": 1}", "{" + name + ": \"\\ud800\"}",
				"{" + name + ": \"\\u0000\"}"));
		broken.addAll(List.of(more));
		return Arbitraries.oneOf(Arbitraries.of(broken), Arbitraries.strings().ofMaxLength(100));
	}

	/**
	 * Content types a JSON endpoint does not take: other types, multipart without or with
	 * a boundary, odd charsets, media ranges (which Spring MVC once failed on with a
	 * 500), none, and any printable text.
	 */
	public static Arbitrary<String> contentTypes() {
		return Arbitraries.oneOf(
				Arbitraries.of("text/plain", "application/xml", "application/x-www-form-urlencoded",
						"multipart/form-data; boundary=x", "multipart/form-data", "application/json; charset=utf-16",
						"application/json; charset=nonsense", "application/*", "*/*", "", "json"),
				Arbitraries.strings().withCharRange('!', '~').ofMaxLength(40));
	}

	/**
	 * Ids, page numbers and sizes, query values: any short text, numbers at and past
	 * {@code int}'s bounds, UUIDs (unknown, nil, all ones), traversal, NUL; with
	 * {@code more} of the service's own.
	 */
	public static Arbitrary<String> texts(String... more) {
		List<String> bent = new ArrayList<>(List.of(UUID.randomUUID().toString(), "0", "1", "200", "201", "-1",
				"2147483647", "2147483648", "99999999999999999999", "1e9", "0.5", "", "true", "\u0000", "é😀", "../x",
				"%00", "00000000-0000-0000-0000-000000000000", "ffffffff-ffff-ffff-ffff-ffffffffffff"));
		bent.addAll(List.of(more));
		return Arbitraries.oneOf(Arbitraries.strings().ofMaxLength(40), Arbitraries.of(bent));
	}

	/** A JSON string of any text, control characters and NUL escaped. */
	public static String quote(String text) {
		StringBuilder json = new StringBuilder(text.length() + 2).append('"');
		for (char c : text.toCharArray()) {
			if (c == '"' || c == '\\') {
				json.append('\\').append(c);
			}
			else if (c < 0x20) {
				json.append(String.format("\\u%04x", (int) c));
			}
			else {
				json.append(c);
			}
		}
		return json.append('"').toString();
	}

	/** Any text as one path segment: percent-encoded, a space as {@code %20}. */
	public static String inPath(String text) {
		return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
	}

	/** Any text as a query parameter's value. */
	public static String inQuery(String text) {
		return URLEncoder.encode(text, StandardCharsets.UTF_8);
	}

	private record LengthRange(int min, int max) {
	}

	/**
	 * {@link #contentTypes()} for a parameter:
	 * {@code @ForAll(supplier = ContentTypes.class)}.
	 */
	public static final class ContentTypes implements ArbitrarySupplier<String> {

		@Override
		public Arbitrary<String> get() {
			return contentTypes();
		}

	}

	/**
	 * {@link #texts(String...)} for a parameter: {@code @ForAll(supplier = Texts.class)}.
	 */
	public static final class Texts implements ArbitrarySupplier<String> {

		@Override
		public Arbitrary<String> get() {
			return texts();
		}

	}

}
