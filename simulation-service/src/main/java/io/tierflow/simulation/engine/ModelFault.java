package io.tierflow.simulation.engine;

/**
 * One thing wrong with a model, worded for the person who wrote it.
 *
 * @param subject the input, output or correlation the fault is about (for a correlation:
 * {@code "a~b"}; for the model as a whole: {@code "model"})
 * @param kind what sort of fault it is, for clients that react to it
 * @param message the full sentence to show, naming the subject
 */
public record ModelFault(String subject, Kind kind, String message) {

	/** What sort of fault: stable names that an API can expose. */
	public enum Kind {

		/** The model has no outputs. */
		EMPTY_MODEL,

		/** A name is used twice, is not a valid name, or is a reserved word. */
		BAD_NAME,

		/** A distribution's parameters are not valid. */
		BAD_PARAMETER,

		/** An expression does not parse. */
		SYNTAX_ERROR,

		/** An expression nests deeper than {@link ModelLimits#maxExpressionDepth()}. */
		TOO_DEEP,

		/** An expression refers to a name that is neither an input nor an output. */
		UNKNOWN_NAME,

		/** Outputs depend on each other in a circle. */
		CYCLE,

		/** A correlation refers to unknown inputs, is out of range, or is given twice. */
		BAD_CORRELATION,

		/** The correlations of a group of inputs cannot hold together. */
		INCONSISTENT_CORRELATIONS

	}

}
