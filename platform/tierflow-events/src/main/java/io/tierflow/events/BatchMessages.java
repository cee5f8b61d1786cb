package io.tierflow.events;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.springframework.kafka.support.KafkaHeaders;
import org.springframework.messaging.Message;
import org.springframework.messaging.support.MessageBuilder;

/**
 * The records of a batch-mode binding's message, one message each with its own headers,
 * in the order the consumer polled them (the order a
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
	 * Splits a batch into its records.
	 * @throws IllegalArgumentException if the message does not carry per-record headers
	 */
	public static List<Message<byte[]>> split(Message<List<byte[]>> batch) {
		List<byte[]> payloads = batch.getPayload();
		Object headers = batch.getHeaders().get(KafkaHeaders.BATCH_CONVERTED_HEADERS);
		if (!(headers instanceof List<?> perRecord) || perRecord.size() != payloads.size()) {
			throw new IllegalArgumentException("Not a batch of Kafka records with their headers (" + payloads.size()
					+ " payloads): is the binding batch-mode, with content type" + " application/octet-stream?");
		}
		List<Message<byte[]>> messages = new ArrayList<>(payloads.size());
		for (int i = 0; i < payloads.size(); i++) {
			@SuppressWarnings("unchecked")
			Map<String, Object> recordHeaders = (Map<String, Object>) perRecord.get(i);
			messages.add(MessageBuilder.withPayload(payloads.get(i)).copyHeaders(recordHeaders).build());
		}
		return messages;
	}

}
