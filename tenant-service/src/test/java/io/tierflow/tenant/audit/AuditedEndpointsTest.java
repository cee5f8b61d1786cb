package io.tierflow.tenant.audit;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.context.annotation.ClassPathScanningCandidateComponentProvider;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.core.type.filter.AnnotationTypeFilter;
import org.springframework.util.ClassUtils;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RestController;

import static org.assertj.core.api.Assertions.assertThat;

class AuditedEndpointsTest {

	/**
	 * State changes of the caller's own (a development token, a notification read) are
	 * not actions on the platform's or a tenant's state.
	 */
	private static final Set<String> NOT_AUDITED = Set.of("io.tierflow.tenant.token",
			"io.tierflow.tenant.notification");

	/**
	 * Anonymous endpoints (setting a password with a token, asking for a reset): their
	 * successes are recorded by the service, their refusals are not, or anyone could fill
	 * the trail.
	 */
	private static final Set<String> ANONYMOUS = Set.of("io.tierflow.tenant.identity.PasswordController");

	@Test
	void everyStateChangingEndpointNamesItsAuditAction() throws ClassNotFoundException {
		ClassPathScanningCandidateComponentProvider scanner = new ClassPathScanningCandidateComponentProvider(false);
		scanner.addIncludeFilter(new AnnotationTypeFilter(RestController.class));
		List<String> unaudited = new ArrayList<>();
		int audited = 0;
		for (BeanDefinition controller : scanner.findCandidateComponents("io.tierflow.tenant")) {
			Class<?> type = ClassUtils.forName(controller.getBeanClassName(), getClass().getClassLoader());
			if (NOT_AUDITED.contains(type.getPackageName()) || ANONYMOUS.contains(type.getName())) {
				continue;
			}
			for (Method method : type.getDeclaredMethods()) {
				boolean changes = AnnotatedElementUtils.hasAnnotation(method, PostMapping.class)
						|| AnnotatedElementUtils.hasAnnotation(method, PutMapping.class)
						|| AnnotatedElementUtils.hasAnnotation(method, PatchMapping.class)
						|| AnnotatedElementUtils.hasAnnotation(method, DeleteMapping.class);
				if (changes && !method.isAnnotationPresent(Audited.class)) {
					unaudited.add(type.getSimpleName() + "." + method.getName());
				}
				if (method.isAnnotationPresent(Audited.class)) {
					audited++;
					assertThat(method.getAnnotation(Audited.class).action()).matches(AuditActions.NAME);
				}
			}
		}
		assertThat(unaudited).isEmpty();
		assertThat(audited).isGreaterThanOrEqualTo(14);
	}

}
