package io.tierflow.mover;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * The {@link TableChecksum} of rows as they pass by in PostgreSQL's {@code COPY ... TO}
 * text format, computed here instead of by a second pass in the database.
 *
 * <p>
 * The database sums {@code md5(t::text)} over each row's record text. Both formats carry
 * every column's own text output, so the record text can be rebuilt from a COPY row
 * exactly when the COPY lists every column in table order: COPY's escapes are undone
 * ({@code \N} is NULL, {@code \\ \b \f \n \r \t \v} their bytes), and each value is
 * written as {@code record_out} writes it: NULL as nothing, a value that is empty or
 * holds {@code " \ ( ) ,} or white space in double quotes with {@code "} and {@code \}
 * doubled, fields joined by commas inside parentheses. The bytes are UTF-8 (the JDBC
 * driver's client encoding); every byte this looks at is ASCII, so multi-byte characters
 * pass through untouched. An import sums the loaded rows in the database and compares
 * them with this, so a difference would refuse every import rather than pass unnoticed.
 *
 * <p>
 * The stream may be cut anywhere: a row ends at its newline byte (COPY escapes the ones
 * inside values).
 */
final class CopyTextChecksum extends FilterOutputStream {

	private final MessageDigest md5;

	/** The current row's COPY bytes, up to its newline. */
	private byte[] row = new byte[1024];

	private int rowLength;

	/** The current row's record text, rebuilt. */
	private byte[] record = new byte[1024];

	private final byte[] digest = new byte[16];

	/** One value, unescaped. */
	private byte[] value = new byte[256];

	private long rows;

	/** The sum as 128-bit two's complement: far beyond 2^63 rows of 2^63 each. */
	private long high;

	private long low;

	CopyTextChecksum(OutputStream out) {
		super(out);
		try {
			this.md5 = MessageDigest.getInstance("MD5");
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	@Override
	public void write(int b) throws IOException {
		write(new byte[] { (byte) b }, 0, 1);
	}

	@Override
	public void write(byte[] b, int off, int len) throws IOException {
		int start = off;
		int end = off + len;
		for (int i = off; i < end; i++) {
			if (b[i] == '\n') {
				if (this.rowLength == 0) {
					// The whole row is in this chunk, as it is when COPY hands over rows.
					row(b, start, i);
				}
				else {
					append(b, start, i - start);
					row(this.row, 0, this.rowLength);
					this.rowLength = 0;
				}
				start = i + 1;
			}
		}
		append(b, start, end - start);
		this.out.write(b, off, len);
	}

	/** The rows seen, and their checksum. */
	TableChecksum checksum() {
		if (this.rowLength != 0) {
			throw new IllegalStateException("The COPY ended inside a row");
		}
		BigInteger sum = BigInteger.valueOf(this.high)
			.shiftLeft(64)
			.add(new BigInteger(Long.toUnsignedString(this.low)));
		return new TableChecksum(this.rows, new BigDecimal(sum));
	}

	private void append(byte[] b, int off, int len) {
		if (len == 0) {
			return;
		}
		if (this.rowLength + len > this.row.length) {
			this.row = Arrays.copyOf(this.row, Math.max(this.row.length * 2, this.rowLength + len));
		}
		System.arraycopy(b, off, this.row, this.rowLength, len);
		this.rowLength += len;
	}

	/** Sums the row {@code copy[from, to)}, its newline left out. */
	private void row(byte[] copy, int from, int to) {
		// Room for the worst case: every byte doubled or an empty field, quoted.
		this.record = ensure(this.record, 0, 4 * (to - from) + 8);
		byte[] rec = this.record;
		int r = 0;
		rec[r++] = '(';
		int i = from;
		while (true) {
			int field = i;
			// One pass finds the field's end and what record_out does with it.
			boolean escaped = false;
			boolean quote = false;
			boolean doubled = false;
			for (; i < to; i++) {
				byte c = copy[i];
				if (c == '\t') {
					break;
				}
				if (c == '\\') {
					escaped = true;
				}
				else if (c == '"') {
					doubled = true;
				}
				else if (c == ' ' || c == ',' || c == '(' || c == ')' || (c >= 9 && c <= 13)) {
					quote = true;
				}
			}
			int length = i - field;
			if (escaped) {
				if (!(length == 2 && copy[field] == '\\' && copy[field + 1] == 'N')) {
					r = quoted(r, unescape(copy, field, i));
					rec = this.record;
				}
			}
			else if (length > 0 && !quote && !doubled) {
				System.arraycopy(copy, field, rec, r, length);
				r += length;
			}
			else {
				// Quoted (an empty value is quoted too), a double quote doubled; COPY
				// escapes every backslash, so there is none here.
				rec[r++] = '"';
				if (doubled) {
					for (int k = field; k < i; k++) {
						if (copy[k] == '"') {
							rec[r++] = '"';
						}
						rec[r++] = copy[k];
					}
				}
				else {
					System.arraycopy(copy, field, rec, r, length);
					r += length;
				}
				rec[r++] = '"';
			}
			if (i >= to) {
				break;
			}
			rec[r++] = ',';
			i++;
		}
		rec[r++] = ')';
		this.md5.update(rec, 0, r);
		try {
			this.md5.digest(this.digest, 0, this.digest.length);
		}
		catch (DigestException ex) {
			throw new IllegalStateException(ex);
		}
		long first64 = 0;
		for (int k = 0; k < 8; k++) {
			first64 = (first64 << 8) | (this.digest[k] & 0xFF);
		}
		long sum = this.low + first64;
		if (Long.compareUnsigned(sum, this.low) < 0) {
			this.high++;
		}
		this.low = sum;
		this.high += first64 >> 63;
		this.rows++;
	}

	/** Undoes COPY's escapes of {@code copy[from, to)} into {@link #value}. */
	private int unescape(byte[] copy, int from, int to) {
		this.value = ensure(this.value, 0, to - from);
		int n = 0;
		for (int i = from; i < to; i++) {
			byte c = copy[i];
			if (c == '\\' && i + 1 < to) {
				byte e = copy[++i];
				c = switch (e) {
					case 'b' -> 8;
					case 'f' -> 12;
					case 'n' -> '\n';
					case 'r' -> '\r';
					case 't' -> '\t';
					case 'v' -> 11;
					default -> e;
				};
			}
			this.value[n++] = c;
		}
		return n;
	}

	/** Appends {@link #value} as {@code record_out} writes a value. */
	private int quoted(int r, int n) {
		boolean quote = n == 0;
		for (int i = 0; i < n && !quote; i++) {
			byte c = this.value[i];
			quote = c == '"' || c == '\\' || c == '(' || c == ')' || c == ',' || c == ' ' || (c >= 9 && c <= 13);
		}
		this.record = ensure(this.record, r, 2 * n + 2);
		if (quote) {
			this.record[r++] = '"';
		}
		for (int i = 0; i < n; i++) {
			byte c = this.value[i];
			if (quote && (c == '"' || c == '\\')) {
				this.record[r++] = c;
			}
			this.record[r++] = c;
		}
		if (quote) {
			this.record[r++] = '"';
		}
		return r;
	}

	private static byte[] ensure(byte[] buffer, int used, int more) {
		if (used + more <= buffer.length) {
			return buffer;
		}
		return Arrays.copyOf(buffer, Math.max(buffer.length * 2, used + more));
	}

}
