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
	void givesEachRecordsHeadersInPollOrder() {
		Message<List<byte[]>> batch = MessageBuilder.withPayload(List.of(bytes("a"), bytes("b")))
			.setHeader(KafkaHeaders.BATCH_CONVERTED_HEADERS,
					List.of(Map.of("ce_id", bytes("1")), Map.of("ce_id", bytes("2"), "ce_type", "t")))
			.build();

		List<Map<String, Object>> headers = BatchMessages.recordHeaders(batch);

		assertThat(headers).hasSize(2);
		assertThat(headers.get(0).get("ce_id")).isEqualTo(bytes("1"));
		assertThat(headers.get(0)).doesNotContainKey("ce_type");
		assertThat(headers.get(1).get("ce_type")).isEqualTo("t");
	}

	@Test
	void refusesABatchWhoseHeadersDoNotMatchItsRecords() {
		// What the function layer hands over when it has converted the records away.
		Message<List<byte[]>> emptied = MessageBuilder.withPayload(List.of(bytes("a")))
			.setHeader(KafkaHeaders.BATCH_CONVERTED_HEADERS, List.of())
			.build();
		assertThatIllegalArgumentException().isThrownBy(() -> BatchMessages.recordHeaders(emptied))
			.withMessageContaining("application/octet-stream");
		Message<List<byte[]>> noHeaders = MessageBuilder.withPayload(List.of(bytes("a"))).build();
		assertThatIllegalArgumentException().isThrownBy(() -> BatchMessages.recordHeaders(noHeaders));
	}

	private static byte[] bytes(String s) {
		return s.getBytes(StandardCharsets.UTF_8);
	}

}
