package io.tierflow.events;

import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.UUID;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.messaging.Message;

/**
 * A CloudEvent as a consumer sees it: the attributes Tierflow uses and the JSON data.
 * Read from a Spring message whose Kafka record was written in CloudEvents binary mode
 * ({@code ce_*} headers).
 */
public record DomainEvent(String id, String type, String source, UUID tenantId, String subject, OffsetDateTime time,
		byte[] data) {

	/** Kafka header carrying the CloudEvents {@code tenantid} extension. */
	public static final String TENANT_HEADER = "ce_tenantid";

	/**
	 * Reads the event from a message.
	 * @throws MalformedEventException if a required attribute is missing or invalid
	 */
	public static DomainEvent from(Message<byte[]> message) {
		return from(message.getHeaders(), message.getPayload());
	}

	/**
	 * Reads the event from a record's headers and data (as a batch carries them).
	 * @throws MalformedEventException if a required attribute is missing or invalid
	 */
	public static DomainEvent from(Map<String, Object> headers, byte[] data) {
		String id = required(headers, "ce_id");
		String type = required(headers, "ce_type");
		String source = required(headers, "ce_source");
		String tenant = required(headers, TENANT_HEADER);
		String time = header(headers, "ce_time");
		try {
			return new DomainEvent(id, type, source, UUID.fromString(tenant), header(headers, "ce_subject"),
					(time != null) ? OffsetDateTime.parse(time) : null, data);
		}
		catch (RuntimeException ex) {
			throw new MalformedEventException("Event " + id + " has an invalid attribute: " + ex.getMessage());
		}
	}

	public String dataAsString() {
		return new String(this.data, StandardCharsets.UTF_8);
	}

	/**
	 * The event's data as {@code type}.
	 * @throws MalformedEventException when it is missing or unreadable (a poison event:
	 * retrying cannot help)
	 */
	public <T> T data(JsonMapper json, Class<T> type) {
		try {
			T value = json.readValue(this.data, type);
			if (value == null) {
				throw new MalformedEventException("Event " + this.id + " (" + this.type + ") has no data");
			}
			return value;
		}
		catch (JacksonException ex) {
			throw new MalformedEventException(
					"Event " + this.id + " (" + this.type + ") has unreadable data: " + ex.getOriginalMessage());
		}
	}

	private static String required(Map<String, Object> headers, String name) {
		String value = header(headers, name);
		if (value == null || value.isBlank()) {
			throw new MalformedEventException("Event lacks the CloudEvents attribute " + name);
		}
		return value;
	}

	private static String header(Map<String, Object> headers, String name) {
		Object value = headers.get(name);
		if (value instanceof byte[] bytes) {
			return new String(bytes, StandardCharsets.UTF_8);
		}
		return (value != null) ? value.toString() : null;
	}

}
