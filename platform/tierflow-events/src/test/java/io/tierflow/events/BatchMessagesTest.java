package io.tierflow.events;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.kafka.support.KafkaHeaders;
import org.springframework.messaging.Message;
import org.springframework.messaging.support.MessageBuilder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class BatchMessagesTest {

	@Test
	void splitsABatchIntoItsRecordsWithEachRecordsHeaders() {
		Message<List<byte[]>> batch = MessageBuilder.withPayload(List.of(bytes("a"), bytes("b")))
			.setHeader(KafkaHeaders.BATCH_CONVERTED_HEADERS,
					List.of(Map.of("ce_id", bytes("1")), Map.of("ce_id", bytes("2"), "ce_type", "t")))
			.build();

		List<Message<byte[]>> records = BatchMessages.split(batch);

		assertThat(records).hasSize(2);
		assertThat(new String(records.get(0).getPayload(), StandardCharsets.UTF_8)).isEqualTo("a");
		assertThat(records.get(0).getHeaders().get("ce_id")).isEqualTo(bytes("1"));
		assertThat(records.get(0).getHeaders()).doesNotContainKey("ce_type");
		assertThat(new String(records.get(1).getPayload(), StandardCharsets.UTF_8)).isEqualTo("b");
		assertThat(records.get(1).getHeaders().get("ce_type")).isEqualTo("t");
	}

	@Test
	void refusesABatchWhoseHeadersDoNotMatchItsRecords() {
		// What the function layer hands over when it has converted the records away.
		Message<List<byte[]>> emptied = MessageBuilder.withPayload(List.of(bytes("a")))
			.setHeader(KafkaHeaders.BATCH_CONVERTED_HEADERS, List.of())
			.build();
		assertThatIllegalArgumentException().isThrownBy(() -> BatchMessages.split(emptied))
			.withMessageContaining("application/octet-stream");
		Message<List<byte[]>> noHeaders = MessageBuilder.withPayload(List.of(bytes("a"))).build();
		assertThatIllegalArgumentException().isThrownBy(() -> BatchMessages.split(noHeaders));
	}

	private static byte[] bytes(String s) {
		return s.getBytes(StandardCharsets.UTF_8);
	}

}
