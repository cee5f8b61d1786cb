package io.tierflow.simulation.definition;

import java.util.List;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/**
 * A model definition that cannot be run: answered with 422 problem+json whose
 * {@code faults} property lists every fault found (subject, kind, message), so that the
 * author can fix them in one go.
 */
public class InvalidModelException extends ErrorResponseException {

	private final List<DefinitionFault> faults;

	public InvalidModelException(List<DefinitionFault> faults) {
		super(HttpStatus.UNPROCESSABLE_CONTENT, problem(faults), null);
		this.faults = List.copyOf(faults);
	}

	public List<DefinitionFault> faults() {
		return this.faults;
	}

	private static ProblemDetail problem(List<DefinitionFault> faults) {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.UNPROCESSABLE_CONTENT,
				"The model definition has " + faults.size() + ((faults.size() == 1) ? " fault" : " faults"));
		problem.setTitle("Invalid model");
		problem.setProperty("faults", List.copyOf(faults));
		return problem;
	}

	@Override
	public String getMessage() {
		return getBody().getDetail();
	}

}
