package io.tierflow.events;

import java.util.List;
import java.util.Map;

import org.springframework.kafka.support.KafkaHeaders;
import org.springframework.messaging.Message;

/**
 * The records of a batch-mode binding's message: their headers, in the order the consumer
 * polled them (the order a
 * {@link org.springframework.kafka.listener.BatchListenerFailedException}'s index refers
 * to).
 *
 * <p>
 * The binding must declare {@code content-type: application/octet-stream}: with the
 * default JSON content type the function layer tries to convert every record of a batch
 * and hands the function an empty payload list and empty header lists.
 */
public final class BatchMessages {

	private BatchMessages() {
	}

	/**
	 * Each record's headers, in poll order: read record {@code i} with
	 * {@code DomainEvent.from(headers.get(i), batch.getPayload().get(i))}.
	 * @throws IllegalArgumentException if the message does not carry them for every
	 * record
	 */
	@SuppressWarnings("unchecked")
	public static List<Map<String, Object>> recordHeaders(Message<List<byte[]>> batch) {
		Object headers = batch.getHeaders().get(KafkaHeaders.BATCH_CONVERTED_HEADERS);
		if (!(headers instanceof List<?> perRecord) || perRecord.size() != batch.getPayload().size()) {
			throw new IllegalArgumentException("Not a batch of Kafka records with their headers ("
					+ batch.getPayload().size() + " payloads): is the binding batch-mode, with content type"
					+ " application/octet-stream?");
		}
		return (List<Map<String, Object>>) perRecord;
	}

}
