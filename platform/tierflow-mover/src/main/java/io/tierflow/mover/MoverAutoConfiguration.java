package io.tierflow.mover;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import javax.sql.DataSource;

import io.tierflow.events.EventTypes;
import io.tierflow.events.EventsAutoConfiguration;
import io.tierflow.events.Topics;
import io.tierflow.events.inbox.EventInbox;
import io.tierflow.events.outbox.Outbox;
import io.tierflow.tenancy.TenancyAutoConfiguration;
import io.tierflow.tenancy.TenancyProperties;
import io.tierflow.tenancy.autopilot.TenantMoves;
import io.tierflow.tenancy.lease.JobLease;
import io.tierflow.tenancy.lease.JobLeases;
import io.tierflow.tenancy.migration.PlacementMigrator;
import io.tierflow.tenancy.migration.TenantMigrations;
import io.tierflow.tenancy.placement.ClusterRegistry;
import io.tierflow.tenancy.placement.PlacementRepository;
import io.tierflow.tenancy.placement.TenantProvisioner;
import io.tierflow.tenancy.routing.PlacementDirectory;
import io.tierflow.tenancy.routing.PlacementPools;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The tenant mover of a tenant-data service, and the watch that finishes or rolls back
 * moves whose process died (no heartbeat for {@link #SILENCE}), from start-up on.
 */
@AutoConfiguration(after = { TenancyAutoConfiguration.class, EventsAutoConfiguration.class })
@ConditionalOnBean(TenantProvisioner.class)
@EnableConfigurationProperties(MoverProperties.class)
public class MoverAutoConfiguration {

	/**
	 * A running move reports several times a second; this long without one, it is dead.
	 */
	static final Duration SILENCE = Duration.ofSeconds(30);

	/** The key of the platform's own events: no tenant's. */
	static final UUID PLATFORM_KEY = new UUID(0, 0);

	@Bean
	@ConditionalOnMissingBean
	MovePhaseTimers movePhaseTimers() {
		return new MovePhaseTimers();
	}

	@Bean
	@ConditionalOnMissingBean
	TenantMover tenantMover(TenantProvisioner provisioner, PlacementRepository placements,
			@Qualifier(TenancyAutoConfiguration.CONTROL) TransactionTemplate controlTx,
			@Qualifier(TenancyAutoConfiguration.CONTROL) JdbcClient control, PlacementPools pools,
			PlacementDirectory directory, ObjectProvider<TenantMover.Outcomes> outcomes, MovePhaseTimers phaseTimers) {
		// Looked up when a move ends: the saga participant needs the mover itself.
		return new TenantMover(provisioner, placements, controlTx, control, pools, directory,
				(outcome) -> outcomes.orderedStream().forEach((o) -> o.ended(outcome)), phaseTimers);
	}

	@Bean
	@ConditionalOnBean(name = "tenantLifecycle")
	TierMoveParticipant tierMoveParticipant(TenancyProperties tenancy, MoverProperties properties,
			TenantProvisioner provisioner, TenantMover mover,
			@Qualifier(TenancyAutoConfiguration.CONTROL) TransactionTemplate controlTx,
			@Qualifier(TenancyAutoConfiguration.CONTROL) EventInbox controlInbox,
			@Qualifier(TenancyAutoConfiguration.CONTROL) Outbox controlOutbox) {
		TenantMover.Options options = properties.options()
			.removingSourceAfter(tenancy.placementCacheTtl().plus(properties.sourceRemovalDelay()));
		return new TierMoveParticipant(tenancy.service(), provisioner, mover, controlTx, controlInbox, controlOutbox,
				options);
	}

	@Bean
	@ConditionalOnBean(name = "tenantLifecycle")
	TenantEraser tenantEraser(TenancyProperties tenancy, MoverProperties properties, PlacementRepository placements,
			@Qualifier(TenancyAutoConfiguration.CONTROL) TransactionTemplate controlTx,
			@Qualifier(TenancyAutoConfiguration.CONTROL) JdbcClient control,
			@Qualifier(TenancyAutoConfiguration.CONTROL) DataSource controlDataSource, PlacementPools pools,
			PlacementDirectory directory, @Qualifier(TenancyAutoConfiguration.CONTROL) Outbox controlOutbox,
			ObjectProvider<ErasureStep> steps, ObjectProvider<JsonMapper> json) {
		return new TenantEraser(tenancy.service(), placements, controlTx, control, controlDataSource, pools, directory,
				controlOutbox, steps.orderedStream().toList(), json.getIfAvailable(() -> JsonMapper.builder().build()),
				properties.eraseOutboxDrainWait());
	}

	@Bean
	@ConditionalOnMissingBean
	ArchiveStore archiveStore(MoverProperties properties) {
		return new ArchiveStore(properties.archiveDirectory());
	}

	@Bean
	@ConditionalOnMissingBean
	TenantArchiver tenantArchiver(TenancyProperties tenancy, TenantProvisioner provisioner,
			PlacementRepository placements, @Qualifier(TenancyAutoConfiguration.CONTROL) TransactionTemplate controlTx,
			PlacementDirectory directory, PlacementPools pools, TenantMigrations migrations, PlacementMigrator migrator,
			ArchiveStore archives, ObjectProvider<ArchiveStep> steps, ObjectProvider<JsonMapper> json) {
		return new TenantArchiver(tenancy.service(), provisioner, placements, controlTx, directory, pools, migrations,
				migrator, archives, steps.orderedStream().toList(),
				json.getIfAvailable(() -> JsonMapper.builder().build()));
	}

	@Bean
	@ConditionalOnBean(name = "tenantLifecycle")
	ArchiveJobs archiveJobs(TenancyProperties tenancy, TenantArchiver archiver,
			@Qualifier(TenancyAutoConfiguration.CONTROL) TransactionTemplate controlTx,
			@Qualifier(TenancyAutoConfiguration.CONTROL) JdbcClient control,
			@Qualifier(TenancyAutoConfiguration.CONTROL) Outbox controlOutbox, ObjectProvider<JsonMapper> json) {
		return new ArchiveJobs(tenancy.service(), archiver, controlTx, control, controlOutbox,
				json.getIfAvailable(() -> JsonMapper.builder().build()));
	}

	/**
	 * The placement autopilot's moves: the mover's, to another tier in the same region.
	 */
	@Bean
	TenantMoves tenantMoves(TenancyProperties tenancy, MoverProperties properties, TenantProvisioner provisioner,
			TenantMover mover) {
		TenantMover.Options options = properties.options()
			.removingSourceAfter(tenancy.placementCacheTtl().plus(properties.sourceRemovalDelay()));
		return (tenant, to) -> {
			String region = provisioner.find(tenant)
				.orElseThrow(() -> new IllegalStateException("Tenant " + tenant + " is not placed here"))
				.region();
			MoveReport report = mover.move(tenant, to, region, null, options, TenantMover.Progress.NONE);
			return new TenantMoves.Result(report.move(), report.succeeded(), report.reason());
		};
	}

	@Bean
	ClusterBalancer clusterBalancer(TenancyProperties tenancy, MoverProperties properties, ClusterRegistry clusters,
			PlacementRepository placements, @Qualifier(TenancyAutoConfiguration.CONTROL) TransactionTemplate controlTx,
			TenantMover mover, @Qualifier(TenancyAutoConfiguration.CONTROL) ObjectProvider<Outbox> controlOutbox) {
		TenantMover.Options options = properties.options()
			.removingSourceAfter(tenancy.placementCacheTtl().plus(properties.sourceRemovalDelay()));
		return new ClusterBalancer(tenancy.service(), clusters, placements, controlTx, mover, options,
				properties.balanceConcurrency(), (full) -> {
					Outbox outbox = controlOutbox.getIfAvailable();
					if (outbox != null) {
						controlTx.executeWithoutResult((s) -> outbox.append(Topics.PLATFORM, EventTypes.CLUSTERS_FULL,
								PLATFORM_KEY, full.cluster(), full));
					}
				});
	}

	@Bean
	ClusterBalanceJob clusterBalanceJob(TenancyProperties tenancy, MoverProperties properties, ClusterBalancer balancer,
			ObjectProvider<JobLeases> leases) {
		return new ClusterBalanceJob(balancer,
				new JobLease(tenancy.service() + ".cluster-balance", properties.balancePoll(), Duration.ofMinutes(30)),
				leases::getIfAvailable);
	}

	/**
	 * Drains the clusters marked DRAINING and relieves those above their high-water mark,
	 * one pass after another on the instance that holds the lease.
	 */
	static final class ClusterBalanceJob implements SmartLifecycle {

		private static final Logger log = LoggerFactory.getLogger(ClusterBalanceJob.class);

		private final ClusterBalancer balancer;

		private final JobLease lease;

		private final Supplier<JobLeases> leases;

		private ScheduledExecutorService scheduler;

		ClusterBalanceJob(ClusterBalancer balancer, JobLease lease, Supplier<JobLeases> leases) {
			this.balancer = balancer;
			this.lease = lease;
			this.leases = leases;
		}

		@Override
		public void start() {
			this.scheduler = Executors.newSingleThreadScheduledExecutor((r) -> {
				Thread t = new Thread(r, "tierflow-cluster-balance");
				t.setDaemon(true);
				return t;
			});
			this.scheduler.scheduleWithFixedDelay(this::pass, this.lease.period().toMillis(),
					this.lease.period().toMillis(), TimeUnit.MILLISECONDS);
		}

		private void pass() {
			Runnable job = () -> {
				try {
					this.balancer.balanceOnce();
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
			};
			try {
				JobLeases jobLeases = this.leases.get();
				if (jobLeases != null) {
					jobLeases.run(this.lease, job);
				}
				else {
					job.run();
				}
			}
			catch (RuntimeException ex) {
				log.warn("Balancing the clusters failed: {}", ex.toString());
			}
		}

		@Override
		public void stop() {
			if (this.scheduler != null) {
				this.scheduler.shutdownNow();
				this.scheduler = null;
			}
		}

		@Override
		public boolean isRunning() {
			return this.scheduler != null;
		}

	}

	@Bean
	DeadMoveWatch deadMoveWatch(TenantMover mover, ObjectProvider<TenantEraser> eraser) {
		return new DeadMoveWatch(mover, eraser::getIfAvailable);
	}

	/**
	 * Looks for dead moves, and for erases a dead process left unfinished, every few
	 * seconds while the service runs.
	 */
	static final class DeadMoveWatch implements SmartLifecycle {

		private static final Logger log = LoggerFactory.getLogger(DeadMoveWatch.class);

		private final TenantMover mover;

		private final Supplier<TenantEraser> eraser;

		private ScheduledExecutorService scheduler;

		DeadMoveWatch(TenantMover mover, Supplier<TenantEraser> eraser) {
			this.mover = mover;
			this.eraser = eraser;
		}

		@Override
		public void start() {
			this.scheduler = Executors.newSingleThreadScheduledExecutor((r) -> {
				Thread t = new Thread(r, "tierflow-dead-moves");
				t.setDaemon(true);
				return t;
			});
			AtomicLong runs = new AtomicLong();
			this.scheduler.scheduleWithFixedDelay(() -> {
				try {
					this.mover.recover(SILENCE);
					if (runs.getAndIncrement() % 60 == 0) { // at start-up, then every 10
															// min
						this.mover.reapOrphans(Duration.ofDays(7));
					}
				}
				catch (RuntimeException ex) {
					log.warn("Looking for dead tier moves failed: {}", ex.toString());
				}
				TenantEraser erasures = this.eraser.get();
				try {
					if (erasures != null) {
						erasures.resume();
					}
				}
				catch (RuntimeException ex) {
					log.warn("Looking for unfinished erases failed: {}", ex.toString());
				}
			}, 0, 10, TimeUnit.SECONDS);
		}

		@Override
		public void stop() {
			if (this.scheduler != null) {
				this.scheduler.shutdownNow();
				this.scheduler = null;
			}
		}

		@Override
		public boolean isRunning() {
			return this.scheduler != null;
		}

	}

}
