package io.tierflow.simulation.definition;

/**
 * One thing wrong with a model definition, as the API lists it.
 *
 * @param subject where the fault is: a JSON path for a structural fault
 * ({@code inputs[1].distribution.sd}), or the input, output or correlation ({@code a~b})
 * the engine found it in, or {@code model}
 * @param kind {@code INVALID_DEFINITION} for a definition that does not have the
 * documented shape, otherwise the engine's fault kind ({@code BAD_PARAMETER},
 * {@code UNKNOWN_NAME}, …)
 * @param message a sentence for the model's author
 */
public record DefinitionFault(String subject, String kind, String message) {

	/** The kind of faults in the definition's JSON shape. */
	public static final String INVALID_DEFINITION = "INVALID_DEFINITION";

}
