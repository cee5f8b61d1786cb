package io.tierflow.simulation.definition;

import java.util.List;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/**
 * A model definition that cannot be run: answered with 422 problem+json whose
 * {@code faults} property lists the faults found (subject, kind, message), so that the
 * author can fix them in one go — the first {@link DefinitionLimits#maxFaults()} of them,
 * with {@code faultCount} counting all and {@code omittedFaults} those left out. A
 * definition beyond one of {@link DefinitionLimits} also names that {@code limit} and its
 * {@code limitValue}, in the detail too.
 */
public class InvalidModelException extends ErrorResponseException {

	private final List<DefinitionFault> faults;

	public InvalidModelException(List<DefinitionFault> faults) {
		this(faults, faults.size(), null);
	}

	InvalidModelException(List<DefinitionFault> faults, int count, Limit exceeded) {
		super(HttpStatus.UNPROCESSABLE_CONTENT, problem(faults, Math.max(count, faults.size()), exceeded), null);
		this.faults = List.copyOf(faults);
	}

	/** The faults listed. */
	public List<DefinitionFault> faults() {
		return this.faults;
	}

	private static ProblemDetail problem(List<DefinitionFault> faults, int count, Limit exceeded) {
		String detail = "The model definition has " + count + ((count == 1) ? " fault" : " faults");
		if (exceeded != null) {
			detail += "; it exceeds the limit " + exceeded.name() + " (" + exceeded.value() + "): " + exceeded.fault();
		}
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.UNPROCESSABLE_CONTENT, detail);
		problem.setTitle("Invalid model");
		problem.setProperty("faults", List.copyOf(faults));
		problem.setProperty("faultCount", count);
		if (count > faults.size()) {
			problem.setProperty("omittedFaults", count - faults.size());
		}
		if (exceeded != null) {
			problem.setProperty("limit", exceeded.name());
			problem.setProperty("limitValue", exceeded.value());
		}
		return problem;
	}

	@Override
	public String getMessage() {
		return getBody().getDetail();
	}

	/**
	 * The first of {@link DefinitionLimits} a definition exceeds: its name (the
	 * setting's, in camel case), value, and the fault's message.
	 */
	record Limit(String name, long value, String fault) {
	}

}
