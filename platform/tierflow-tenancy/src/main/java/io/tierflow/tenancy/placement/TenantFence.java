package io.tierflow.tenancy.placement;

import java.time.Duration;

/**
 * The fence of a tier move, in every store database (schema {@code tierflow_fence}, made
 * by {@code PlacementMigrator}): every tenant write transaction enters it first —
 * {@code tierflow_fence.enter_write(tenant, epoch)} takes the tenant's advisory lock
 * shared and then, with a snapshot taken after the lock, checks that the tenant has not
 * moved away at that epoch. A mover takes the same lock exclusive (waiting for the
 * writers in flight, holding back new ones on every instance of the service), records the
 * move in {@code tierflow_fence.moved}, switches the placement and lets go: the writers
 * it held then find the mark and are routed to the new placement. A mark left by a mover
 * that died before switching is taken back by the writers it holds, once older than
 * {@link #LEASE}.
 */
public final class TenantFence {

	/** First key of the two-key advisory lock: keeps fence locks apart from others. */
	public static final int LOCK_SPACE = 0x7466;

	/**
	 * How old a fence mark must be before a writer may take it back as orphaned (its
	 * mover died before switching the placement). A live mover switches or gives up well
	 * within it: it never holds writers longer than its fence wait, and refuses to switch
	 * once its fence is half this old.
	 */
	public static final Duration LEASE = Duration.ofSeconds(10);

	/**
	 * Creates the fence objects in a database unless present; {@code %2$s} is the app
	 * role.
	 */
	public static final String ENSURE = """
			IF to_regprocedure('tierflow_fence.take_back(uuid,bigint,timestamptz,interval)') IS NULL THEN
			  BEGIN
			    CREATE SCHEMA IF NOT EXISTS tierflow_fence;
			    CREATE TABLE IF NOT EXISTS tierflow_fence.moved (tenant_id uuid PRIMARY KEY, epoch bigint NOT NULL,
			      moved_at timestamptz NOT NULL DEFAULT now());
			    DROP FUNCTION IF EXISTS tierflow_fence.enter(uuid, bigint);
			    -- NULL: write on. A time: the tenant moved away at this epoch, marked then.
			    CREATE OR REPLACE FUNCTION tierflow_fence.enter_write(t uuid, e bigint) RETURNS timestamptz
			      LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog AS $f$
			      DECLARE marked timestamptz;
			      BEGIN
			        PERFORM pg_advisory_xact_lock_shared(29798, hashtext(t::text));
			        -- A statement of its own: at READ COMMITTED it sees what committed while it waited.
			        SELECT m.moved_at INTO marked FROM tierflow_fence.moved m WHERE m.tenant_id = t AND m.epoch >= e;
			        RETURN marked;
			      END $f$;
			    -- Removes a mark whose mover died before switching: only that very mark, once old enough.
			    CREATE OR REPLACE FUNCTION tierflow_fence.take_back(t uuid, e bigint, at timestamptz, lease interval)
			      RETURNS boolean LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog AS $f$
			      BEGIN
			        PERFORM pg_advisory_xact_lock_shared(29798, hashtext(t::text));
			        DELETE FROM tierflow_fence.moved m
			          WHERE m.tenant_id = t AND m.epoch = e AND m.moved_at = at AND m.moved_at < clock_timestamp() - lease;
			        RETURN FOUND;
			      END $f$;
			    EXECUTE format('GRANT USAGE ON SCHEMA tierflow_fence TO %%I', '%2$s');
			    EXECUTE format('GRANT EXECUTE ON FUNCTION tierflow_fence.enter_write(uuid, bigint) TO %%I', '%2$s');
			    EXECUTE format('GRANT EXECUTE ON FUNCTION tierflow_fence.take_back(uuid, bigint, timestamptz, interval)'
			      ' TO %%I', '%2$s');
			  EXCEPTION WHEN unique_violation OR duplicate_object OR duplicate_table OR duplicate_schema THEN
			    NULL; -- made meanwhile by a migration of another store in this database
			  END;
			END IF;
			""";

	private TenantFence() {
	}

	/** A statement that creates the fence objects unless present. */
	public static String ensureStatement(String appRole) {
		return ("DO $$\nBEGIN\n" + ENSURE + "END $$").formatted("", appRole);
	}

}
