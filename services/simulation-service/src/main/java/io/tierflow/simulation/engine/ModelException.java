package io.tierflow.simulation.engine;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A model that cannot be run, with every fault found in it (not only the first), so that
 * its author can fix them in one go. The REST layer turns it into a 422 problem detail
 * with one entry per {@link ModelFault}.
 */
public class ModelException extends RuntimeException {

	private final List<ModelFault> faults;

	public ModelException(List<ModelFault> faults) {
		super(describe(faults));
		this.faults = List.copyOf(faults);
	}

	/** The faults, in the order of the model's definition. */
	public List<ModelFault> faults() {
		return this.faults;
	}

	private static String describe(List<ModelFault> faults) {
		return "The model has " + faults.size() + ((faults.size() == 1) ? " problem: " : " problems: ")
				+ faults.stream().map(ModelFault::message).collect(Collectors.joining("; "));
	}

}
