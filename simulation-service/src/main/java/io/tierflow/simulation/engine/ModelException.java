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

	private final int count;

	public ModelException(List<ModelFault> faults) {
		this(faults, faults.size());
	}

	/**
	 * @param faults the faults listed (the first ones found)
	 * @param count how many faults were found, at least as many as are listed
	 */
	public ModelException(List<ModelFault> faults, int count) {
		super(describe(faults, count));
		this.faults = List.copyOf(faults);
		this.count = Math.max(count, faults.size());
	}

	/**
	 * The faults listed, in the order of the model's definition: the first
	 * {@link ModelLimits#maxFaults()} found.
	 */
	public List<ModelFault> faults() {
		return this.faults;
	}

	/** How many faults were found, listed or not. */
	public int count() {
		return this.count;
	}

	private static String describe(List<ModelFault> faults, int count) {
		String more = (count > faults.size()) ? "; and " + (count - faults.size()) + " more" : "";
		return "The model has " + count + ((count == 1) ? " problem: " : " problems: ")
				+ faults.stream().map(ModelFault::message).collect(Collectors.joining("; ")) + more;
	}

}
