package io.tierflow.tenancy.lease;

import java.util.UUID;

import javax.sql.DataSource;

import io.tierflow.tenancy.TenancyAutoConfiguration;
import net.javacrumbs.shedlock.core.LockProvider;
import net.javacrumbs.shedlock.provider.jdbctemplate.JdbcTemplateLockProvider;
import net.javacrumbs.shedlock.support.Utils;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Job leases ({@link JobLeases}) in table {@code shedlock} of the service's own database:
 * a tenant-data service's control database (schema {@code tierflow}, created by the
 * control migrations), or else the service's one DataSource (created by the service's own
 * migration, as in tenant-service and the gateway). Tenant stores never hold leases.
 */
@AutoConfiguration(after = TenancyAutoConfiguration.class,
		afterName = "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration")
@ConditionalOnBean(DataSource.class)
public class JobLeaseAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	LockProvider jobLeaseLockProvider(@Qualifier(TenancyAutoConfiguration.CONTROL) ObjectProvider<DataSource> control,
			ObjectProvider<DataSource> dataSource) {
		DataSource controlDatabase = control.getIfAvailable();
		DataSource database = (controlDatabase != null) ? controlDatabase : dataSource.getObject();
		return new JdbcTemplateLockProvider(JdbcTemplateLockProvider.Configuration.builder()
			.withJdbcTemplate(new JdbcTemplate(database))
			.withTableName("shedlock")
			.usingDbTime()
			.withLockedByValue(instance())
			.build());
	}

	@Bean
	@ConditionalOnMissingBean
	JobLeases jobLeases(LockProvider jobLeaseLockProvider) {
		return new JobLeases(jobLeaseLockProvider);
	}

	/**
	 * Who holds a lease: host and process, for operators, and a random part, because only
	 * the holder may give a lease up and two instances can share a host and even a
	 * process (tests): one whose run outlasted its lease must not end its successor's.
	 */
	private static String instance() {
		return Utils.getHostname() + "/" + ProcessHandle.current().pid() + "/"
				+ UUID.randomUUID().toString().substring(0, 8);
	}

}
