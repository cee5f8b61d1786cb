package io.tierflow.tenancy;

import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;

import io.tierflow.tenancy.context.NoTenantContextException;
import io.tierflow.tenancy.context.TenantContext;
import io.tierflow.tenancy.context.TenantTaskDecorator;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TenantContextTest {

	@Test
	void scopesNestAndRestoreThePreviousTenantAndMdc() {
		UUID a = UUID.randomUUID();
		UUID b = UUID.randomUUID();
		try (TenantContext.Scope outer = TenantContext.open(a)) {
			try (TenantContext.Scope inner = TenantContext.open(b)) {
				assertThat(TenantContext.require()).isEqualTo(b);
				assertThat(MDC.get(TenantContext.MDC_KEY)).isEqualTo(b.toString());
			}
			assertThat(TenantContext.require()).isEqualTo(a);
			assertThat(MDC.get(TenantContext.MDC_KEY)).isEqualTo(a.toString());
		}
		assertThat(TenantContext.current()).isEmpty();
		assertThat(MDC.get(TenantContext.MDC_KEY)).isNull();
		assertThatThrownBy(TenantContext::require).isInstanceOf(NoTenantContextException.class);
	}

	@Test
	void executorThreadRunsWithTheSubmittersTenantAndKeepsNoneAfterwards() throws Exception {
		ExecutorService single = Executors.newSingleThreadExecutor();
		TenantTaskDecorator decorator = new TenantTaskDecorator();
		UUID a = UUID.randomUUID();
		AtomicReference<UUID> seen = new AtomicReference<>();
		try {
			TenantContext.run(a, () -> {
				try {
					single.submit(decorator.decorate(() -> seen.set(TenantContext.require()))).get();
				}
				catch (Exception ex) {
					throw new IllegalStateException(ex);
				}
			});
			assertThat(seen.get()).isEqualTo(a);
			// The same pooled thread, next task without a tenant: nothing left behind.
			Future<Boolean> leftover = single.submit(decorator.decorate(() -> {
			}), TenantContext.current().isPresent());
			assertThat(leftover.get()).isFalse();
			assertThat(single.submit(() -> TenantContext.current().isPresent() || MDC.get("tenant") != null).get())
				.isFalse();
		}
		finally {
			single.shutdownNow();
		}
	}

}
