package io.tierflow.deploy;

import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The metric names a PromQL expression reads: what is left once strings, label matchers,
 * ranges, grouping clauses, Grafana variables, functions and keywords are taken out.
 */
final class PromQl {

	private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "offset", "by", "without", "on",
			"ignoring", "group_left", "group_right", "inf", "nan");

	private static final Pattern IDENTIFIER = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");

	private PromQl() {
	}

	static Set<String> metricNames(String expr) {
		String s = expr.replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", " ")
			.replaceAll("'(?:[^'\\\\]|\\\\.)*'", " ")
			.replaceAll("\\{[^}]*\\}", " ")
			.replaceAll("\\[[^\\]]*\\]", " ")
			.replaceAll("\\$\\w+", " ")
			.replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ")
			.replaceAll("\\boffset\\s+\\w+", " ")
			.replaceAll("\\b\\d+(\\.\\d+)?(e[+-]?\\d+)?\\b", " ");
		Set<String> names = new TreeSet<>();
		Matcher m = IDENTIFIER.matcher(s);
		while (m.find()) {
			String token = m.group();
			boolean function = s.substring(m.end()).stripLeading().startsWith("(");
			if (!function && !KEYWORDS.contains(token)) {
				names.add(token);
			}
		}
		return names;
	}

}
