package dev.enviro.runtime.cgroups;

/**
 * One value a controller writes: the decision, apart from the write. {@code controller} names the
 * cgroup v1 hierarchy the file lives in, and on v2 the controller that must be enabled for the file
 * to exist ({@code null} for core files such as {@code cgroup.freeze}).
 */
public record ControlFile(String controller, String name, String value) {}
