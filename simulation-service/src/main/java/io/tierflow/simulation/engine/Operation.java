package io.tierflow.simulation.engine;

/**
 * Everything an expression can do to values, with its meaning on one value: the
 * definition that the block kernels of {@link BlockProgram} follow and that constant
 * folding uses. Conditions are numbers: comparisons give 1 or 0, and a value counts as
 * true when it is neither 0 nor NaN.
 */
enum Operation {

	NEGATE, NOT, ADD, SUBTRACT, MULTIPLY, DIVIDE, POWER, LESS, LESS_OR_EQUAL, GREATER, GREATER_OR_EQUAL, EQUAL,
	NOT_EQUAL, AND, OR, MIN, MAX, EXP, LOG, SQRT, ABS, IF;

	static boolean isTrue(double value) {
		// NaN != 0 is true in Java, so NaN must be excluded explicitly.
		return value != 0 && value == value;
	}

	static double of(boolean value) {
		return value ? 1 : 0;
	}

	/** This operation on single values. */
	double apply(double[] operands) {
		double a = operands[0];
		double b = (operands.length > 1) ? operands[1] : Double.NaN;
		return switch (this) {
			case NEGATE -> -a;
			case NOT -> of(!isTrue(a));
			case ADD -> a + b;
			case SUBTRACT -> a - b;
			case MULTIPLY -> a * b;
			case DIVIDE -> a / b;
			case POWER -> Math.pow(a, b);
			case LESS -> of(a < b);
			case LESS_OR_EQUAL -> of(a <= b);
			case GREATER -> of(a > b);
			case GREATER_OR_EQUAL -> of(a >= b);
			case EQUAL -> of(a == b);
			case NOT_EQUAL -> of(a != b);
			case AND -> of(isTrue(a) && isTrue(b));
			case OR -> of(isTrue(a) || isTrue(b));
			case MIN -> {
				double min = a;
				for (int i = 1; i < operands.length; i++) {
					min = Math.min(min, operands[i]);
				}
				yield min;
			}
			case MAX -> {
				double max = a;
				for (int i = 1; i < operands.length; i++) {
					max = Math.max(max, operands[i]);
				}
				yield max;
			}
			case EXP -> Math.exp(a);
			case LOG -> Math.log(a);
			case SQRT -> Math.sqrt(a);
			case ABS -> Math.abs(a);
			case IF -> (a != a) ? Double.NaN : (isTrue(a) ? b : operands[2]);
		};
	}

}
