package dev.enviro.runtime.cgroups;

import dev.enviro.persistence.Resources;
import java.util.List;

/**
 * {@code --cpuset-cpus}. A new v1 cpuset cgroup starts with empty {@code cpuset.cpus} and
 * {@code cpuset.mems}, and no task may join it until both are set: {@link CgroupV1} copies its
 * parent's at each level it creates. v2 cgroups inherit their parent's effective set.
 */
public final class CpusetController {
    static final String NAME = "cpuset";
    static final List<String> V1_INHERITED = List.of("cpuset.cpus", "cpuset.mems");

    private CpusetController() {}

    public static List<ControlFile> v1(Resources r) {
        return r.cpusetCpus() == null ? List.of() : List.of(new ControlFile(NAME, "cpuset.cpus", r.cpusetCpus()));
    }

    public static List<ControlFile> v2(Resources r) {
        return v1(r);
    }
}
