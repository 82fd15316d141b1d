package dev.enviro.persistence;

import java.time.Instant;

/**
 * The engine registry's journal (persistence id {@code engine-registry}): which containers exist and
 * under which unique name, and which services. Replaying it on start tells the engine which container actors to wake.
 */
public sealed interface RegistryEvent extends JournalSerializable {

    Instant timestamp();

    record Registered(String containerId, String name, Instant timestamp) implements RegistryEvent {}

    record Unregistered(String containerId, Instant timestamp) implements RegistryEvent {}

    /** A service by this name exists (its own journal is {@code service|<name>}): wake it at engine start. */
    record ServiceRegistered(String service, Instant timestamp) implements RegistryEvent {}

    record ServiceUnregistered(String service, Instant timestamp) implements RegistryEvent {}
}
