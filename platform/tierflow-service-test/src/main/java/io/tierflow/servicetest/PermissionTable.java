package io.tierflow.servicetest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The README's "Permissions" section as the permission matrix reads it: a table of which
 * role holds which permission (a {@code | Permission | READ_ONLY | USER | … |} header, a
 * mark in the cell of each role that holds it), and under a {@code ### <service>} heading
 * a table {@code | Endpoint | Permission |} with rows like
 * {@code | POST /api/v1/models | models:write |}, {@code public} for an endpoint served
 * without a token.
 *
 * @param grants the roles holding each permission, as the README says
 * @param endpoints the permission each endpoint of the service requires
 */
record PermissionTable(Map<String, Set<String>> grants, Map<String, String> endpoints) {

	static final String SECTION = "## Permissions";

	static final String PUBLIC = "public";

	/**
	 * Reads the section from {@code readme}.
	 * @throws AssertionError when the section, the role table or the service's table is
	 * missing
	 */
	static PermissionTable read(Path readme, String service) {
		List<String> section = section(readme);
		Map<String, Set<String>> grants = new LinkedHashMap<>();
		List<List<String>> roleTable = table(section, 0, "Permission");
		if (roleTable.isEmpty()) {
			throw new AssertionError(readme + ": the \"Permissions\" section has no | Permission | <role> | … | table");
		}
		List<String> roles = roleTable.get(0);
		for (List<String> row : roleTable.subList(1, roleTable.size())) {
			Set<String> holders = new LinkedHashSet<>();
			for (int i = 1; i < row.size() && i < roles.size(); i++) {
				if (!row.get(i).isBlank()) {
					holders.add(roles.get(i));
				}
			}
			grants.put(row.get(0), holders);
		}
		int heading = -1;
		for (int i = 0; i < section.size(); i++) {
			String line = section.get(i);
			if (line.startsWith("### ") && clean(line.substring(4)).equals(service)) {
				heading = i;
				break;
			}
		}
		if (heading < 0) {
			throw new AssertionError(readme + ": the \"Permissions\" section has no \"### " + service + "\" table");
		}
		Map<String, String> endpoints = new LinkedHashMap<>();
		List<List<String>> endpointTable = table(section, heading, "Endpoint");
		for (List<String> row : endpointTable.subList(Math.min(1, endpointTable.size()), endpointTable.size())) {
			if (row.size() >= 2) {
				String previous = endpoints.put(row.get(0).replaceAll("\\s+", " "), row.get(1));
				if (previous != null) {
					throw new AssertionError(readme + ": " + row.get(0) + " is listed twice for " + service);
				}
			}
		}
		return new PermissionTable(grants, endpoints);
	}

	/** The lines of the section, up to the next heading of its level. */
	private static List<String> section(Path readme) {
		List<String> lines;
		try {
			lines = Files.readAllLines(readme);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		int start = lines.indexOf(SECTION);
		if (start < 0) {
			throw new AssertionError(readme + " has no \"" + SECTION + "\" section");
		}
		List<String> section = new ArrayList<>();
		for (String line : lines.subList(start + 1, lines.size())) {
			if (line.startsWith("## ")) {
				break;
			}
			section.add(line);
		}
		return section;
	}

	/**
	 * The first table at or after line {@code from} whose header's first cell is
	 * {@code firstHeader}: its header, then its rows, each as trimmed cells without
	 * backticks; the separator row is left out.
	 */
	private static List<List<String>> table(List<String> lines, int from, String firstHeader) {
		List<List<String>> table = new ArrayList<>();
		for (int i = from; i < lines.size(); i++) {
			String line = lines.get(i).trim();
			if (table.isEmpty()) {
				if (line.startsWith("|") && cells(line).get(0).equals(firstHeader)) {
					table.add(cells(line));
				}
				continue;
			}
			if (!line.startsWith("|")) {
				break;
			}
			if (!line.matches("\\|[\\s:|-]*")) {
				table.add(cells(line));
			}
		}
		return table;
	}

	private static List<String> cells(String row) {
		String inner = row.substring(1, row.endsWith("|") ? row.length() - 1 : row.length());
		List<String> cells = new ArrayList<>();
		for (String cell : inner.split("\\|", -1)) {
			cells.add(clean(cell));
		}
		return cells;
	}

	private static String clean(String text) {
		return text.replace("`", "").trim();
	}

}
