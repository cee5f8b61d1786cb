package io.tierflow.mover;

/** Identifier quoting for the statements the mover builds from catalog names. */
final class Sql {

	private Sql() {
	}

	static String quote(String identifier) {
		return '"' + identifier.replace("\"", "\"\"") + '"';
	}

}
