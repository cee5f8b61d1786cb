package io.tierflow.tenancy;

import java.util.ArrayList;
import java.util.List;

import io.tierflow.tenancy.routing.PinnedTransactionManagers;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.annotation.EnableTransactionManagement;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.interceptor.TransactionInterceptor;
import org.springframework.transaction.support.AbstractPlatformTransactionManager;
import org.springframework.transaction.support.DefaultTransactionStatus;
import org.springframework.transaction.support.TransactionSynchronizationManager;

import static org.assertj.core.api.Assertions.assertThat;

class PinnedTransactionManagersTest {

	@Test
	void unqualifiedMethodsRunOnThePrimaryTransactionManagerWithTheirAttributes() throws Exception {
		try (AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext(Setup.class)) {
			Recording primary = context.getBean("primaryManager", Recording.class);
			Recording other = context.getBean("otherManager", Recording.class);
			Plain plain = context.getBean(Plain.class);

			assertThat(plain.readOnly()).isTrue();
			plain.write();
			plain.write();

			assertThat(primary.begun).containsExactly("readOnly", "write", "write");
			assertThat(other.begun).isEmpty();
			TransactionInterceptor interceptor = context.getBean(TransactionInterceptor.class);
			// Named, so Spring takes its cached path instead of scanning Plain per call.
			assertThat(interceptor.getTransactionAttributeSource()
				.getTransactionAttribute(Plain.class.getMethod("write"), Plain.class)
				.getQualifier()).isEqualTo("primaryManager");
		}
	}

	@Test
	void qualifiersOnTheMethodOrTheClassStillChooseTheirTransactionManager() {
		try (AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext(Setup.class)) {
			Recording primary = context.getBean("primaryManager", Recording.class);
			Recording other = context.getBean("otherManager", Recording.class);

			context.getBean(Plain.class).onOther();
			context.getBean(QualifiedType.class).work();

			assertThat(other.begun).containsExactly("onOther", "work");
			assertThat(primary.begun).isEmpty();
		}
	}

	@Test
	void methodsWithoutTransactionalRunWithoutATransaction() {
		try (AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext(Setup.class)) {
			assertThat(context.getBean(Plain.class).outside()).isFalse();
			assertThat(context.getBean("primaryManager", Recording.class).begun).isEmpty();
		}
	}

	@Configuration(proxyBeanMethods = false)
	@EnableTransactionManagement
	static class Setup {

		@Bean
		static PinnedTransactionManagers pinnedTransactionManagers() {
			return new PinnedTransactionManagers();
		}

		@Bean
		@Primary
		Recording primaryManager() {
			return new Recording();
		}

		@Bean
		@Qualifier("other")
		Recording otherManager() {
			return new Recording();
		}

		@Bean
		Plain plain() {
			return new Plain();
		}

		@Bean
		QualifiedType qualifiedType() {
			return new QualifiedType();
		}

	}

	static class Plain {

		@Transactional(readOnly = true)
		public boolean readOnly() {
			return TransactionSynchronizationManager.isCurrentTransactionReadOnly();
		}

		@Transactional
		public void write() {
		}

		@Transactional("other")
		public void onOther() {
		}

		public boolean outside() {
			return TransactionSynchronizationManager.isActualTransactionActive();
		}

	}

	@Qualifier("other")
	static class QualifiedType {

		@Transactional
		public void work() {
		}

	}

	/** Records the name of each transaction it begins. */
	static class Recording extends AbstractPlatformTransactionManager {

		final List<String> begun = new ArrayList<>();

		@Override
		protected Object doGetTransaction() {
			return new Object();
		}

		@Override
		protected void doBegin(Object transaction, TransactionDefinition definition) {
			String name = definition.getName();
			this.begun.add(name.substring(name.lastIndexOf('.') + 1));
		}

		@Override
		protected void doCommit(DefaultTransactionStatus status) {
		}

		@Override
		protected void doRollback(DefaultTransactionStatus status) {
		}

	}

}
