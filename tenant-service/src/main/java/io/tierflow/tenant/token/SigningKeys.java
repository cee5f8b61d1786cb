package io.tierflow.tenant.token;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Duration;
import java.util.List;

import com.nimbusds.jose.jwk.RSAKey;
import io.tierflow.tenancy.security.TokenIssuer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The keys tenant-service signs tokens with, kept in its database so that every instance
 * signs with the same one and publishes the same set. The newest signs; it and the one
 * before it are published, so a token signed before a rotation stays valid until it
 * expires, and a key two rotations old is gone with its tokens. Each instance re-reads
 * the keys at most every {@link #REFRESH} (another instance may have rotated); a rotation
 * here is seen here at once.
 */
class SigningKeys {

	private static final Logger log = LoggerFactory.getLogger(SigningKeys.class);

	/** How stale an instance's keys may get after another instance rotated. */
	static final Duration REFRESH = Duration.ofSeconds(30);

	/** Published keys: the current and the previous. */
	private static final int PUBLISHED = 2;

	private final JdbcClient jdbc;

	private final TransactionTemplate tx;

	private volatile List<RSAKey> keys = List.of();

	private volatile long readAt;

	SigningKeys(JdbcClient jdbc, TransactionTemplate tx, String keyPath) {
		this.jdbc = jdbc;
		this.tx = tx;
		this.tx.executeWithoutResult((s) -> {
			lock();
			if (this.jdbc.sql("select count(*) from signing_key").query(Long.class).single() == 0) {
				RSAKey first = initialKey(keyPath);
				insert(first);
				log.info("Token signing key {} created", first.getKeyID());
			}
		});
		reload();
	}

	/** The published keys, newest (the signing one) first. */
	List<RSAKey> keys() {
		if (System.nanoTime() - this.readAt > REFRESH.toNanos()) {
			reload();
		}
		return this.keys;
	}

	/**
	 * Makes a new key the signing one; the one before stays published, older ones go.
	 * Runs in the caller's transaction when there is one (to be audited with it); call
	 * {@link #reload()} once that has committed.
	 * @return the new key's id and the previous one's
	 */
	Rotation rotate() {
		Rotation rotation = this.tx.execute((s) -> {
			lock();
			String previous = this.jdbc.sql("select kid from signing_key order by created_at desc limit 1")
				.query(String.class)
				.optional()
				.orElse(null);
			RSAKey next = TokenIssuer.generateKey();
			insert(next);
			int removed = this.jdbc
				.sql("delete from signing_key where kid not in"
						+ " (select kid from signing_key order by created_at desc limit " + PUBLISHED + ")")
				.update();
			return new Rotation(next.getKeyID(), previous, removed);
		});
		log.info("Token signing key rotated: {} signs, {} stays published, {} retired", rotation.kid(),
				rotation.previous(), rotation.retired());
		return rotation;
	}

	/** Reads the published keys now. */
	void reload() {
		List<RSAKey> read = this.jdbc.sql("select jwk from signing_key order by created_at desc limit " + PUBLISHED)
			.query(String.class)
			.list()
			.stream()
			.map(SigningKeys::parse)
			.toList();
		if (read.isEmpty()) {
			throw new IllegalStateException("No token signing key in the database");
		}
		this.keys = read;
		this.readAt = System.nanoTime();
	}

	/** One rotation, or the first key, at a time across instances. */
	private void lock() {
		this.jdbc.sql("lock table signing_key in share row exclusive mode").update();
	}

	private void insert(RSAKey key) {
		this.jdbc.sql("insert into signing_key (kid, jwk) values (?, ?)")
			.params(key.getKeyID(), key.toJSONString())
			.update();
	}

	/**
	 * The first key: the one kept at {@code keyPath} by earlier versions (and
	 * {@code ./tierflow run}), so tokens issued before stay valid; else a new one.
	 */
	private static RSAKey initialKey(String keyPath) {
		if (keyPath == null || keyPath.isBlank()) {
			return TokenIssuer.generateKey();
		}
		Path path = Path.of(keyPath);
		try {
			return Files.exists(path) ? RSAKey.parse(Files.readString(path)) : TokenIssuer.generateKey();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (ParseException ex) {
			throw new IllegalStateException("Signing key at " + keyPath + " is not a JWK", ex);
		}
	}

	private static RSAKey parse(String jwk) {
		try {
			return RSAKey.parse(jwk);
		}
		catch (ParseException ex) {
			throw new IllegalStateException("A stored signing key is not a JWK", ex);
		}
	}

	/**
	 * @param kid the new signing key
	 * @param previous the key that signed before, still published
	 * @param retired how many older keys were removed
	 */
	record Rotation(String kid, String previous, int retired) {
	}

}
