package io.tierflow.mover;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.UUID;

import io.tierflow.tenancy.placement.TenantFence;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fence of one cutover: a session holding the tenant's lock exclusive, so that its
 * writers on every instance are held, and a fence mark written into the source's stream
 * for the target to apply. Lifted after the switch (the mark stays, for writers with old
 * routes), or taken back when the move gives up before it. Also the marks and the lock
 * the rest of a move uses: lag and verification probes, and the short exclusive hold that
 * pins the verification snapshots.
 */
final class CutoverFence {

	// Logs as TenantMover: a move's log lines read as one story.
	private static final Logger log = LoggerFactory.getLogger(TenantMover.class);

	private final Connection con;

	private final UUID tenant;

	private long fencedAt;

	private boolean marked;

	CutoverFence(Store source, UUID tenant) throws SQLException {
		this.con = source.connect();
		this.tenant = tenant;
	}

	/**
	 * Waits for the writers in flight (at most {@code wait}), holds back new ones, and
	 * writes the fence mark.
	 */
	void fence(long epoch, Duration wait) throws SQLException, MoveAbandoned {
		lockExclusive(this.con, this.tenant, wait, "cutover");
		this.fencedAt = System.nanoTime();
		mark(this.con, this.tenant, epoch);
		this.marked = true;
	}

	/** Fails unless the fence session is alive and younger than {@code maxAge}. */
	void confirmHeld(Duration maxAge) throws SQLException, MoveAbandoned {
		try (Statement st = this.con.createStatement()) {
			st.execute("select 1");
		}
		Duration age = Duration.ofNanos(System.nanoTime() - this.fencedAt);
		if (age.compareTo(maxAge) > 0) {
			throw new MoveAbandoned("the fence has been up for " + age.toMillis() + " ms, too long to switch safely");
		}
	}

	Duration remaining(Duration wait) {
		return Duration.ofNanos(Math.max(0, wait.toNanos() - (System.nanoTime() - this.fencedAt)));
	}

	/**
	 * Lifts the fence after the switch; the mark stays, for writers with old routes.
	 */
	Duration release() throws SQLException {
		Duration held = Duration.ofNanos(System.nanoTime() - this.fencedAt);
		try (Connection c = this.con) {
			unlock(c, this.tenant);
		}
		return held;
	}

	/** Takes the mark back and lifts the fence: the source stays authoritative. */
	void abandon() {
		try (Connection c = this.con) {
			if (this.marked) {
				try (PreparedStatement ps = c
					.prepareStatement("delete from tierflow_fence.moved where tenant_id = ?")) {
					ps.setObject(1, this.tenant);
					ps.executeUpdate();
				}
			}
			// Closing the session releases the lock.
		}
		catch (SQLException ex) {
			log.warn("Taking back the fence of tenant {} failed; closing its session lifts it", this.tenant, ex);
		}
	}

	/**
	 * Takes back the fence mark a move whose process died left at {@code epoch}; a later
	 * mark stays.
	 */
	static void takeBack(Store source, UUID tenant, long epoch) throws SQLException {
		try (Connection con = source.connect();
				PreparedStatement ps = con
					.prepareStatement("delete from tierflow_fence.moved where tenant_id = ? and epoch = ?")) {
			ps.setObject(1, tenant);
			ps.setLong(2, epoch);
			ps.executeUpdate();
		}
	}

	/**
	 * Takes the tenant's lock exclusive in the session: waits for the writers in flight
	 * (at most {@code wait}), then holds back new ones until {@link #unlock}.
	 * @param what what is refused when the writers do not finish in time
	 */
	static void lockExclusive(Connection con, UUID tenant, Duration wait, String what)
			throws SQLException, MoveAbandoned {
		try (Statement st = con.createStatement()) {
			st.execute("set lock_timeout = " + Math.max(1, wait.toMillis()));
		}
		try (PreparedStatement ps = con
			.prepareStatement("select pg_advisory_lock(" + TenantFence.LOCK_SPACE + ", hashtext(?::text))")) {
			ps.setObject(1, tenant);
			ps.execute();
		}
		catch (SQLException ex) {
			if ("55P03".equals(ex.getSQLState())) { // lock_not_available
				throw new MoveAbandoned("the tenant's writes in flight did not finish within " + wait.toMillis()
						+ " ms; " + what + " refused");
			}
			throw ex;
		}
	}

	static void unlock(Connection con, UUID tenant) throws SQLException {
		try (PreparedStatement ps = con
			.prepareStatement("select pg_advisory_unlock(" + TenantFence.LOCK_SPACE + ", hashtext(?::text))")) {
			ps.setObject(1, tenant);
			ps.execute();
		}
	}

	/**
	 * Writes a mark (a negative probe, or the fence's epoch) into the source's stream.
	 */
	static void mark(Store source, UUID tenant, long epoch) throws SQLException {
		try (Connection con = source.connect()) {
			mark(con, tenant, epoch);
		}
	}

	static void mark(Connection con, UUID tenant, long epoch) throws SQLException {
		// Flushed at commit even where commits are asynchronous: the WAL sender only
		// streams flushed WAL, and a fenced source writes nothing else to flush it.
		try (Statement st = con.createStatement()) {
			st.execute("set synchronous_commit = on");
		}
		try (PreparedStatement ps = con.prepareStatement("insert into tierflow_fence.moved (tenant_id, epoch)"
				+ " values (?, ?) on conflict (tenant_id) do update set epoch = excluded.epoch, moved_at = now()")) {
			ps.setObject(1, tenant);
			ps.setLong(2, epoch);
			ps.executeUpdate();
		}
	}

}
