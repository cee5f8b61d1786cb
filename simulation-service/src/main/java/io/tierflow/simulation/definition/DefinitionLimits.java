package io.tierflow.simulation.definition;

import io.tierflow.simulation.engine.ModelLimits;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How large and deep a model definition may be ({@code tierflow.simulation.definition}):
 * the bounds that make checking any definition cheap, on the request's thread before any
 * transaction: about 0.5 s at most (measured with C1 only, for 1,000 inputs in one
 * correlation group, whose matrix factorisation dominates; 23,000 unknown names in
 * 200,000 characters of expressions cost less, as only listed faults get a suggestion). A
 * definition beyond them is a 422 naming the limit. The upper bounds of the settings keep
 * them there too: the checker's one recursion (outputs using outputs) goes as deep as
 * there are outputs, and the parser's as deep as expressions nest.
 *
 * @param maxExpressionDepth how deeply an expression may nest: parentheses, function
 * calls, unary operators and exponents each add a level (default 64, at most 256)
 * @param maxExpressionLength longest expression, in characters (default 10,000)
 * @param maxTotalExpressionLength most characters of all expressions together (default
 * 200,000)
 * @param maxItems most inputs, most outputs and most correlations (each; default 1,000,
 * at most 2,000)
 * @param maxNameLength longest name of an input or output (default 100)
 * @param maxDiscreteValues most values of a discrete distribution (default 10,000)
 * @param maxFaults how many faults a refusal lists; the rest are counted (default 50)
 */
@Validated
@ConfigurationProperties("tierflow.simulation.definition")
public record DefinitionLimits(@Min(1) @Max(256) @DefaultValue("64") int maxExpressionDepth,
		@Min(1) @Max(1_000_000) @DefaultValue("10000") int maxExpressionLength,
		@Min(1) @Max(10_000_000) @DefaultValue("200000") int maxTotalExpressionLength,
		@Min(1) @Max(2_000) @DefaultValue("1000") int maxItems,
		@Min(1) @Max(1_000) @DefaultValue("100") int maxNameLength,
		@Min(1) @Max(1_000_000) @DefaultValue("10000") int maxDiscreteValues,
		@Min(1) @Max(1_000) @DefaultValue("50") int maxFaults) {

	/** The defaults, as documented above. */
	public static final DefinitionLimits DEFAULTS = new DefinitionLimits(64, 10_000, 200_000, 1_000, 100, 10_000, 50);

	/** The limits the engine applies when it checks the model. */
	ModelLimits engine() {
		return new ModelLimits(this.maxExpressionDepth, this.maxFaults);
	}

}
