package dev.enviro.persistence;

/**
 * One event as the audit log serves it. {@code offset} is its position in the journal's global
 * order: resume a stream after it with {@link AuditQuery#afterOffset}; {@code sequenceNr} is its
 * number within its subject's own journal.
 */
public record AuditRecord(long offset, long sequenceNr, LifecycleEvent event) {}
