package dev.medallion.sample.events;

/**
 * One Kafka record the generator made.
 *
 * @param event the event the record carries when it is valid (for a duplicate, the original event);
 *     null for an invalid record
 */
public record GeneratedRecord(byte[] key, byte[] value, RecordKind kind, Event event) {}
