package dev.enviro.daemon;

import dev.enviro.errors.EnviroError;
import dev.enviro.errors.ErrorCode;
import dev.enviro.persistence.ContainerDefinition;

import dev.enviro.grpc.Timestamps;

import com.google.protobuf.ByteString;
import dev.enviro.actors.ContainerView;
import dev.enviro.grpc.v1.Container;
import dev.enviro.grpc.v1.ContainerSpec;
import dev.enviro.grpc.v1.Event;
import dev.enviro.grpc.v1.Image;
import dev.enviro.grpc.v1.LogChunk;
import dev.enviro.images.ImageSummary;
import java.util.List;

/** The engine's types as API messages and back. Absent values stay absent (unset fields), never zero dates. */
public final class ApiMessages {

    private ApiMessages() {}

    public static Container container(ContainerView view) {
        Container.Builder b = Container.newBuilder()
                .setId(nonNull(view.id()))
                .setName(nonNull(view.name()))
                .setImage(nonNull(view.image()))
                .setImageDigest(nonNull(view.imageDigest()))
                .addAllArgv(view.argv())
                .setState(state(view.state()))
                .setPid(view.pid())
                .setError(nonNull(view.error()))
                .setLogPath(nonNull(view.logPath()))
                .setExecutor(nonNull(view.executor()))
                .setRestartCount(view.restartCount())
                .setRestartPolicy(nonNull(view.restartPolicy()))
                .setOomKilled(view.oomKilled())
                .setPaused(view.paused())
                .addAllPorts(view.ports())
                .setResources(resources(view.resources()));
        if (view.exitCode() != null) {
            b.setExitCode(view.exitCode());
        }
        if (view.createdAt() != null) {
            b.setCreatedAt(Timestamps.timestamp(view.createdAt()));
        }
        if (view.startedAt() != null) {
            b.setStartedAt(Timestamps.timestamp(view.startedAt()));
        }
        if (view.finishedAt() != null) {
            b.setFinishedAt(Timestamps.timestamp(view.finishedAt()));
        }
        return b.build();
    }

    static Container.State state(ContainerView.State state) {
        if (state == null) {
            return Container.State.STATE_UNSPECIFIED;
        }
        return switch (state) {
            case CREATED -> Container.State.CREATED;
            case RUNNING -> Container.State.RUNNING;
            case EXITED -> Container.State.EXITED;
            case REMOVED -> Container.State.REMOVED;
        };
    }

    public static Image image(ImageSummary summary) {
        Image.Builder b = Image.newBuilder()
                .setId(nonNull(summary.id()))
                .setManifestDigest(nonNull(summary.manifestDigest()))
                .addAllNames(summary.names())
                .setSize(summary.size());
        if (summary.created() != null) {
            b.setCreated(Timestamps.timestamp(summary.created()));
        }
        return b.build();
    }

    /**
     * The container's definition from the API's spec. Unset lists mean "the image's own" (null); an
     * overridden entrypoint may be empty, which clears the image's. {@code autoRemove} is decided by the
     * caller: an attached run removes the container itself once its output has been sent.
     */
    public static ContainerDefinition definition(ContainerSpec spec, boolean autoRemove) {
        if (spec.getImage().isEmpty()) {
            throw new EnviroError(ErrorCode.INVALID_ARGUMENT, "an image is required to create a container");
        }
        return new ContainerDefinition(
                emptyToNull(spec.getName()),
                spec.getImage(),
                spec.getOverrideEntrypoint() ? List.copyOf(spec.getEntrypointList()) : null,
                spec.getCommandCount() > 0 ? List.copyOf(spec.getCommandList()) : null,
                List.copyOf(spec.getEnvList()),
                emptyToNull(spec.getWorkdir()),
                emptyToNull(spec.getUser()),
                emptyToNull(spec.getHostname()),
                autoRemove,
                emptyToNull(spec.getRestartPolicy()),
                resources(spec.getResources()),
                security(spec.getSecurity()),
                new dev.enviro.persistence.RunOptions(List.copyOf(spec.getVolumesList()), List.copyOf(spec.getTmpfsList()),
                        spec.getReadOnly(), List.copyOf(spec.getLogOptsList()), spec.getInit(),
                        spec.getTty(), spec.getInteractive()),
                new dev.enviro.persistence.NetworkOptions(emptyToNull(spec.getNetwork()), List.copyOf(spec.getDnsList()),
                        List.copyOf(spec.getAddHostList()), List.copyOf(spec.getPublishList())));
    }

    /** The security flags as typed; the engine checks them when it prepares the container. */
    static dev.enviro.persistence.SecurityOptions security(dev.enviro.grpc.v1.SecurityOptions s) {
        return new dev.enviro.persistence.SecurityOptions(List.copyOf(s.getCapAddList()), List.copyOf(s.getCapDropList()),
                s.getPrivileged(), List.copyOf(s.getSecurityOptList()), List.copyOf(s.getUlimitList()));
    }

    /** Limits as the API carries them; unset fields are 0, which the engine reads as "no limit". */
    public static dev.enviro.grpc.v1.Resources resources(dev.enviro.persistence.Resources r) {
        dev.enviro.grpc.v1.Resources.Builder b = dev.enviro.grpc.v1.Resources.newBuilder()
                .setMemoryBytes(r.memoryBytes())
                .setMemorySwapBytes(r.memorySwapBytes())
                .setNanoCpus(r.nanoCpus())
                .setCpuShares(r.cpuShares())
                .setCpusetCpus(nonNull(r.cpusetCpus()))
                .setPidsLimit(r.pidsLimit());
        if (r.oomScoreAdj() != null) {
            b.setOomScoreAdj(r.oomScoreAdj());
        }
        return b.build();
    }

    public static dev.enviro.persistence.Resources resources(dev.enviro.grpc.v1.Resources r) {
        return new dev.enviro.persistence.Resources(r.getMemoryBytes(), r.getMemorySwapBytes(), r.getNanoCpus(), r.getCpuShares(),
                emptyToNull(r.getCpusetCpus()), r.getPidsLimit(), r.hasOomScoreAdj() ? r.getOomScoreAdj() : null);
    }

    /** One audit record in the event stream's envelope. */
    public static Event event(dev.enviro.persistence.AuditRecord record) {
        dev.enviro.persistence.LifecycleEvent e = record.event();
        Event.Builder b = Event.newBuilder()
                .setOffset(record.offset())
                .setTopic(e.topic())
                .setType(e.type())
                .setSubject(nonNull(e.subject()))
                .setTimestamp(Timestamps.timestamp(e.timestamp()))
                .putAllAttributes(e.attributes());
        if (e.origin() != null) {
            b.setNode(nonNull(e.origin().node())).setCorrelationId(nonNull(e.origin().correlationId()));
        }
        return b.build();
    }

    public static LogChunk chunk(LogRecord record) {
        return LogChunk.newBuilder()
                .setStream(record.stream() == LogRecord.Stream.STDERR ? LogChunk.Stream.STDERR : LogChunk.Stream.STDOUT)
                .setData(ByteString.copyFrom(record.written()))
                .setTime(Timestamps.timestamp(record.time()))
                .build();
    }

    private static String nonNull(String s) {
        return s == null ? "" : s;
    }

    private static String emptyToNull(String s) {
        return s.isEmpty() ? null : s;
    }
}
