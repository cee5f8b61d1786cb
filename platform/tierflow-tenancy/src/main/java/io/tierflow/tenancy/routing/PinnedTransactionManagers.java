package io.tierflow.tenancy.routing;

import java.lang.reflect.Method;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.beans.BeansException;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.annotation.BeanFactoryAnnotationUtils;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.core.MethodClassKey;
import org.springframework.transaction.TransactionManager;
import org.springframework.transaction.interceptor.DefaultTransactionAttribute;
import org.springframework.transaction.interceptor.DelegatingTransactionAttribute;
import org.springframework.transaction.interceptor.TransactionAttribute;
import org.springframework.transaction.interceptor.TransactionAttributeSource;
import org.springframework.transaction.interceptor.TransactionInterceptor;
import org.springframework.util.StringUtils;

/**
 * Gives every {@code @Transactional} method without a qualifier, on a class without a
 * type-level {@code @Qualifier}, the name of the default transaction manager, once per
 * method and class.
 *
 * <p>
 * Spring's {@code TransactionAspectSupport} (spring-tx 7.0) looks for a type-level
 * {@code @Qualifier} on the target class on every call of such a method, with an uncached
 * annotation scan; a JFR profile of a tenant-scoped GET put it at ~12 % of the
 * controller's samples. An attribute that names its transaction manager takes Spring's
 * cached path instead. The transaction manager chosen is the one Spring would choose (the
 * only or the primary {@link TransactionManager} bean); classes with a type-level
 * qualifier, interceptors given a transaction manager of their own
 * ({@code TransactionManagementConfigurer}), and a factory where the default cannot be
 * told by name are left to Spring as they are. (An interceptor given a default bean name,
 * as XML's {@code <tx:annotation-driven transaction-manager>} does, is not supported:
 * Tierflow's services configure transactions with Spring Boot.)
 */
public final class PinnedTransactionManagers implements SmartInitializingSingleton, BeanFactoryAware {

	private ConfigurableListableBeanFactory beanFactory;

	@Override
	public void setBeanFactory(BeanFactory beanFactory) {
		if (beanFactory instanceof ConfigurableListableBeanFactory listable) {
			this.beanFactory = listable;
		}
	}

	/**
	 * Wraps the attribute source of every transaction interceptor once all singletons
	 * exist. (A post-processor would come too late: the interceptor is made with the
	 * advisor, before ordinary post-processors are registered.)
	 */
	@Override
	public void afterSingletonsInstantiated() {
		if (this.beanFactory == null) {
			return;
		}
		for (TransactionInterceptor interceptor : this.beanFactory.getBeansOfType(TransactionInterceptor.class)
			.values()) {
			TransactionAttributeSource source = interceptor.getTransactionAttributeSource();
			if (interceptor.getTransactionManager() == null && source != null && !(source instanceof Pinned)) {
				interceptor.setTransactionAttributeSource(new Pinned(source, this.beanFactory));
			}
		}
	}

	/**
	 * The interceptor's attribute source, answering with the default transaction
	 * manager's name where Spring would otherwise scan the class on every call. Only the
	 * interceptor uses it: the advisor's pointcut keeps the original source, so proxies
	 * are made exactly as before and no transaction manager is looked up while they are.
	 */
	static final class Pinned implements TransactionAttributeSource {

		private static final TransactionAttribute NONE = new DefaultTransactionAttribute();

		private final TransactionAttributeSource delegate;

		private final ConfigurableListableBeanFactory beanFactory;

		private final Map<MethodClassKey, TransactionAttribute> attributes = new ConcurrentHashMap<>();

		private volatile String defaultManager;

		Pinned(TransactionAttributeSource delegate, ConfigurableListableBeanFactory beanFactory) {
			this.delegate = delegate;
			this.beanFactory = beanFactory;
		}

		@Override
		public boolean isCandidateClass(Class<?> targetClass) {
			return this.delegate.isCandidateClass(targetClass);
		}

		@Override
		public boolean hasTransactionAttribute(Method method, Class<?> targetClass) {
			return this.delegate.hasTransactionAttribute(method, targetClass);
		}

		@Override
		public TransactionAttribute getTransactionAttribute(Method method, Class<?> targetClass) {
			MethodClassKey key = new MethodClassKey(method, targetClass);
			TransactionAttribute known = this.attributes.get(key);
			if (known == null) {
				known = resolve(method, targetClass);
				this.attributes.put(key, known);
			}
			return (known == NONE) ? null : known;
		}

		private TransactionAttribute resolve(Method method, Class<?> targetClass) {
			TransactionAttribute attribute = this.delegate.getTransactionAttribute(method, targetClass);
			if (attribute == null) {
				return NONE;
			}
			if (StringUtils.hasText(attribute.getQualifier()) || (targetClass != null
					&& StringUtils.hasText(BeanFactoryAnnotationUtils.getQualifierValue(targetClass)))) {
				return attribute;
			}
			String manager = defaultManager();
			if (manager == null) {
				return attribute;
			}
			return new DelegatingTransactionAttribute(attribute) {
				@Override
				public String getQualifier() {
					return manager;
				}
			};
		}

		/**
		 * The bean name of the transaction manager Spring takes when nothing names one
		 * (the only or the primary one), looked up the way Spring does on the first call.
		 */
		private String defaultManager() {
			String name = this.defaultManager;
			if (name == null) {
				TransactionManager chosen;
				try {
					chosen = this.beanFactory.getBean(TransactionManager.class);
				}
				catch (BeansException ex) {
					return null; // none, or no unique one: Spring says so on its own path
				}
				for (String candidate : this.beanFactory.getBeanNamesForType(TransactionManager.class)) {
					if (this.beanFactory.getBean(candidate) == chosen) {
						name = candidate;
						break;
					}
				}
				this.defaultManager = name;
			}
			return name;
		}

	}

}
