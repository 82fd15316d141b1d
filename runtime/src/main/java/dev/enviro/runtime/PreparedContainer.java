package dev.enviro.runtime;

import java.nio.file.Path;

/**
 * A container whose image is resolved and whose root filesystem and state directory exist, ready
 * to execute. {@code process} is the resolved process description (argv, env, cwd, user) after the
 * image config and the user's overrides are merged; it is shown by {@code inspect}.
 */
public record PreparedContainer(ContainerSpec spec, Path stateDir, ResolvedProcess process, String imageDigest) {}
