package dev.enviro.persistence;

import java.time.Instant;

/**
 * The engine registry's journal (persistence id {@code engine-registry}): which containers exist and
 * under which unique name. Replaying it on start tells the engine which container actors to wake.
 */
public sealed interface RegistryEvent extends JournalSerializable {

    String containerId();

    Instant timestamp();

    record Registered(String containerId, String name, Instant timestamp) implements RegistryEvent {}

    record Unregistered(String containerId, Instant timestamp) implements RegistryEvent {}
}
