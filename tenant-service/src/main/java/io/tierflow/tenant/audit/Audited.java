package io.tierflow.tenant.audit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks an endpoint whose requests the audit trail records. Success is recorded by the
 * service in the transaction of the change ({@link AuditTrail#record}); a request
 * answered with a problem (4xx, 5xx) is recorded by {@link RefusalRecorder} under this
 * action, in a transaction of its own, with the target and tenant read from the path.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface Audited {

	/** The action ({@link AuditActions}). */
	String action();

	/** The target's type. */
	String target();

	/** The path variable holding the target's id; none by default. */
	String targetId() default "";

	/**
	 * The path variable holding the tenant the action concerns; none (a platform action)
	 * by default.
	 */
	String tenant() default "";

}
