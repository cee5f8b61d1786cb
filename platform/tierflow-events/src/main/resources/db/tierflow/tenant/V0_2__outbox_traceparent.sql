-- The W3C trace context of the span that wrote the event (EventTraces), sent as the Kafka
-- record's traceparent header so the consumer continues the trace. Null when there was none.
alter table outbox add column traceparent text;
