package io.tierflow.tenancy.context;

import java.util.UUID;

import org.springframework.core.task.TaskDecorator;

/**
 * Carries the submitting thread's tenant to an executor thread and clears it when the
 * task ends, so an executor's pooled thread never runs the next task with the previous
 * task's tenant.
 */
public class TenantTaskDecorator implements TaskDecorator {

	@Override
	public Runnable decorate(Runnable runnable) {
		UUID tenant = TenantContext.current().orElse(null);
		return () -> {
			if (tenant == null) {
				runnable.run();
			}
			else {
				TenantContext.run(tenant, runnable);
			}
		};
	}

}
