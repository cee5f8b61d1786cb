package io.tierflow.simulation.engine;

/**
 * How much checking a model may cost: bounds that {@link MonteCarloModel.Builder#build()}
 * applies so that no model, however written, makes it recurse without bound or spend long
 * listing faults.
 *
 * @param maxExpressionDepth how deeply an expression may nest (parentheses, function
 * calls, unary operators and exponents each add a level); deeper is a
 * {@link ModelFault.Kind#TOO_DEEP} fault
 * @param maxFaults how many faults a {@link ModelException} lists; the rest are only
 * counted
 */
public record ModelLimits(int maxExpressionDepth, int maxFaults) {

	/** 64 levels (what spreadsheets allow of nested functions), 50 faults. */
	public static final ModelLimits DEFAULTS = new ModelLimits(64, 50);

	public ModelLimits {
		if (maxExpressionDepth < 1) {
			throw new IllegalArgumentException("maxExpressionDepth must be at least 1");
		}
		if (maxFaults < 1) {
			throw new IllegalArgumentException("maxFaults must be at least 1");
		}
	}

}
