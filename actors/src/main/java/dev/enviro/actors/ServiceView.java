package dev.enviro.actors;

import java.time.Instant;
import java.util.List;

/**
 * A service as clients see it: {@code replicas} asked for, {@code running} as last seen by its actor's
 * reconciliation (it converges within a reconcile interval).
 */
public record ServiceView(String name, String image, List<String> command, int replicas, int running, Instant createdAt) {}
