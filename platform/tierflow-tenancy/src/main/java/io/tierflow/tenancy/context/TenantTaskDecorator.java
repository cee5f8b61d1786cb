package io.tierflow.tenancy.context;

import java.util.UUID;

import org.springframework.core.task.TaskDecorator;
import org.springframework.core.task.support.ContextPropagatingTaskDecorator;

/**
 * Carries the submitting thread's tenant to an executor thread and clears it when the
 * task ends, so an executor's pooled thread never runs the next task with the previous
 * task's tenant. The submitter's observation (its trace and span) goes along too, so what
 * the task logs and writes to an outbox stays in the submitter's trace.
 */
public class TenantTaskDecorator implements TaskDecorator {

	private final TaskDecorator observation = new ContextPropagatingTaskDecorator();

	@Override
	public Runnable decorate(Runnable runnable) {
		UUID tenant = TenantContext.current().orElse(null);
		Runnable traced = this.observation.decorate(runnable);
		return () -> {
			if (tenant == null) {
				traced.run();
			}
			else {
				TenantContext.run(tenant, traced);
			}
		};
	}

}
