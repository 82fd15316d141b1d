package dev.enviro.actors;

import dev.enviro.runtime.ResourceUsage;

/** A running container and one sample of its counters, as {@code enviro stats} lists them. */
public record ContainerStats(ContainerView container, ResourceUsage usage) {}
