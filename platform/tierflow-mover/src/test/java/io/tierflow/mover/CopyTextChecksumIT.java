package io.tierflow.mover;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.UUID;

import io.tierflow.testsupport.PostgresServer;
import io.tierflow.testsupport.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.copy.CopyManager;
import org.postgresql.core.BaseConnection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The checksum an export sums from COPY's text is the one PostgreSQL sums from the rows'
 * record text, on real PostgreSQL, for values that exercise every escape and quoting rule
 * of both formats: NULLs, empty strings, quotes, backslashes, parentheses, commas, every
 * white space, control bytes, multi-byte characters, arrays, JSON, bytea, numbers and
 * times; and however the stream is cut.
 */
class CopyTextChecksumIT {

	private static final String DATABASE = "copy_text_checksum_it";

	private static final UUID TENANT = UUID.randomUUID();

	private static PostgresServer pg;

	@BeforeAll
	static void createTable() throws Exception {
		pg = TestPostgres.get();
		pg.dropDatabase(DATABASE);
		pg.createDatabase(DATABASE);
		try (Connection con = pg.adminConnection(DATABASE); Statement st = con.createStatement()) {
			st.execute("""
					create table t (tenant_id uuid not null, id int not null, name text, code varchar(20),
					  doc jsonb, tags text[], amounts numeric[], blob bytea, ratio double precision,
					  price numeric(20, 6), flag boolean, at timestamptz, day date, span interval,
					  dropped text, primary key (tenant_id, id))""");
			// A dropped column stays in the catalog: neither format shows it.
			st.execute("alter table t drop column dropped");
			String tenant = "'" + TENANT + "'";
			st.execute("insert into t values (" + tenant + ", 1, null, null, null, null, null, null, null, null, null,"
					+ " null, null, null)");
			st.execute("insert into t values (" + tenant + ", 2, '', '', '{}', '{}', '{}', '', 0, 0, false,"
					+ " '2026-01-01T00:00:00Z', '2026-01-01', '0')");
			st.execute("insert into t values (" + tenant + ", 3, 'say \"hi\", (twice)\\ \tand\nmore\r\f\u000b!',"
					+ " 'a,b', '{\"k\": \"v \\\"q\\\" (x)\", \"n\": [1, 2.50, null]}', '{\"a b\",null,\"\",\"c,d\",\"e\\\"f\"}',"
					+ " '{1.5,NULL,-2}', '\\x00015c22ff'::bytea, 1e-300, -12345.678901, true,"
					+ " '1999-12-31T23:59:59.999999+05:30', '0001-01-01 BC', '1 year 2 mons 3 days 04:05:06.7')");
			st.execute("insert into t values (" + tenant + ", 4, 'ünïcödé 𝄞 日本語 \u0001\u001f', 'tab\there', 'null',"
					+ " array[E'back\\\\slash', E'new\\nline'], null, decode(repeat('ab', 5000), 'hex'),"
					+ " 'NaN', 'NaN', null, 'infinity', 'infinity', '-1 day')");
			st.execute("insert into t (tenant_id, id, name) select " + tenant
					+ ", n, repeat(md5(n::text), n % 7) || case when n % 3 = 0 then ' x' else '' end"
					+ " from generate_series(5, 2000) n");
			// Another tenant's rows are in neither sum.
			st.execute("insert into t (tenant_id, id, name) values ('" + UUID.randomUUID() + "', 1, 'other')");
		}
	}

	@AfterAll
	static void dropDatabase() {
		pg.dropDatabase(DATABASE);
	}

	@Test
	void sumsEveryRowAsTheDatabaseDoes() throws Exception {
		TableChecksum database = inDatabase();
		assertThat(database.rows()).isEqualTo(2000);
		assertThat(fromCopy(1 << 16)).isEqualTo(database);
	}

	@Test
	void doesNotDependOnWhereTheStreamIsCut() throws Exception {
		TableChecksum database = inDatabase();
		assertThat(fromCopy(1)).isEqualTo(database);
		assertThat(fromCopy(7)).isEqualTo(database);
	}

	@Test
	void passesTheBytesThroughUnchanged() throws Exception {
		ByteArrayOutputStream through = new ByteArrayOutputStream();
		ByteArrayOutputStream direct = new ByteArrayOutputStream();
		try (Connection con = pg.adminConnection(DATABASE)) {
			CopyManager copy = new CopyManager(con.unwrap(BaseConnection.class));
			try (CopyTextChecksum sum = new CopyTextChecksum(through)) {
				copy.copyOut(copySql(), sum);
			}
			copy.copyOut(copySql(), direct);
		}
		assertThat(through.toByteArray()).isEqualTo(direct.toByteArray());
	}

	@Test
	void aStreamEndingInsideARowHasNoChecksum() throws Exception {
		CopyTextChecksum sum = new CopyTextChecksum(OutputStream.nullOutputStream());
		sum.write("x\ty".getBytes());
		assertThatThrownBy(sum::checksum).isInstanceOf(IllegalStateException.class);
	}

	@Test
	void aChangedValueChangesTheSum() throws Exception {
		CopyTextChecksum a = new CopyTextChecksum(OutputStream.nullOutputStream());
		a.write("1\tsame\n".getBytes());
		CopyTextChecksum b = new CopyTextChecksum(OutputStream.nullOutputStream());
		b.write("1\tsame \n".getBytes());
		assertThat(a.checksum().rows()).isEqualTo(1);
		assertThat(a.checksum()).isNotEqualTo(b.checksum());
	}

	private static TableChecksum inDatabase() throws Exception {
		try (Connection con = pg.adminConnection(DATABASE);
				Statement st = con.createStatement();
				ResultSet rs = st.executeQuery("select count(*), coalesce(sum(('x' || substr(md5(t::text), 1, 16))"
						+ "::bit(64)::bigint::numeric), 0) from t where tenant_id = '" + TENANT + "'")) {
			rs.next();
			return new TableChecksum(rs.getLong(1), rs.getBigDecimal(2));
		}
	}

	/**
	 * The checksum of the tenant's COPY text, handed over {@code chunk} bytes at a time.
	 */
	private static TableChecksum fromCopy(int chunk) throws Exception {
		ByteArrayOutputStream copied = new ByteArrayOutputStream();
		try (Connection con = pg.adminConnection(DATABASE)) {
			new CopyManager(con.unwrap(BaseConnection.class)).copyOut(copySql(), copied);
		}
		byte[] bytes = copied.toByteArray();
		try (CopyTextChecksum sum = new CopyTextChecksum(OutputStream.nullOutputStream())) {
			for (int at = 0; at < bytes.length; at += chunk) {
				sum.write(bytes, at, Math.min(chunk, bytes.length - at));
			}
			return sum.checksum();
		}
	}

	private static String copySql() {
		return "copy (select tenant_id, id, name, code, doc, tags, amounts, blob, ratio, price, flag, at, day, span"
				+ " from t where tenant_id = '" + TENANT + "') to stdout";
	}

}
