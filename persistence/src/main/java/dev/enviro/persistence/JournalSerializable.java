package dev.enviro.persistence;

/**
 * Marks what goes into the journal. The binding to Pekko's {@code jackson-cbor} serializer lives in
 * this module's {@code reference.conf}, so every ActorSystem that has this jar serializes events the
 * same way: a journal written by one engine is readable by the next.
 */
public interface JournalSerializable {}
