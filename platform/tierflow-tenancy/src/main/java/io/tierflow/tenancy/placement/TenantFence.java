package io.tierflow.tenancy.placement;

/**
 * The fence of a tier move, in every store database (schema {@code tierflow_fence}, made
 * by {@code PlacementMigrator}): every tenant write transaction enters it first —
 * {@code tierflow_fence.enter(tenant, epoch)} takes the tenant's advisory lock shared and
 * then, with a snapshot taken after the lock, checks that the tenant has not moved away
 * at that epoch. A mover takes the same lock exclusive (waiting for the writers in
 * flight, holding back new ones on every instance of the service), records the move in
 * {@code tierflow_fence.moved}, switches the placement and lets go: the writers it held
 * then find the mark and are routed to the new placement.
 */
public final class TenantFence {

	/** First key of the two-key advisory lock: keeps fence locks apart from others. */
	public static final int LOCK_SPACE = 0x7466;

	/**
	 * Creates the fence objects in a database unless present; {@code %2$s} is the app
	 * role.
	 */
	public static final String ENSURE = """
			IF to_regprocedure('tierflow_fence.enter(uuid,bigint)') IS NULL THEN
			  BEGIN
			    CREATE SCHEMA IF NOT EXISTS tierflow_fence;
			    CREATE TABLE IF NOT EXISTS tierflow_fence.moved (tenant_id uuid PRIMARY KEY, epoch bigint NOT NULL,
			      moved_at timestamptz NOT NULL DEFAULT now());
			    CREATE OR REPLACE FUNCTION tierflow_fence.enter(t uuid, e bigint) RETURNS boolean
			      LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog AS $f$
			      BEGIN
			        PERFORM pg_advisory_xact_lock_shared(29798, hashtext(t::text));
			        -- A statement of its own: at READ COMMITTED it sees what committed while it waited.
			        RETURN NOT EXISTS (SELECT 1 FROM tierflow_fence.moved m WHERE m.tenant_id = t AND m.epoch >= e);
			      END $f$;
			    EXECUTE format('GRANT USAGE ON SCHEMA tierflow_fence TO %%I', '%2$s');
			    EXECUTE format('GRANT EXECUTE ON FUNCTION tierflow_fence.enter(uuid, bigint) TO %%I', '%2$s');
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
