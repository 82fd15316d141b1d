package dev.enviro.daemon;

import dev.enviro.cli.CliRun;

import static org.junit.jupiter.api.Assertions.*;

import dev.enviro.grpc.EngineAddress;
import io.grpc.netty.shaded.io.netty.util.internal.PlatformDependent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The AOT training's workload: a verb that failed against the stand-in would leave its path out of the cache. */
@Timeout(30)
class AotTrainingTest {

    @TempDir Path dir;

    @Test
    void everyTrainingVerbRunsToItsEndAgainstTheStandIn() throws Exception {
        EngineAddress address = new EngineAddress(dir.resolve("engine.sock"));
        try (UnixSocketServer engine = UnixSocketServer.bind(address, new AotTraining.StandInEngine())) {
            for (String[] line : AotTraining.verbs(address.toString())) {
                CliRun run = CliRun.of(Map.of(), line);
                assertEquals(0, run.exit(), String.join(" ", line) + "\n" + run);
                assertFalse(run.out().isEmpty(), String.join(" ", line));
            }
        }
    }

    @Test
    void theDaemonsWorkloadRunsARealEngineAndStopsIt() throws Exception {
        Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x")); // as /tmp's mktemp -d then is
        Path train = Files.createDirectory(dir.resolve("train"));
        assertTrue(AotTraining.trainDaemon(train), "the engine started and answered ps, images, info and events");
        assertFalse(Files.exists(train.resolve("engine.sock")), "the engine stopped and removed its socket");
        assertTrue(Files.isDirectory(train.resolve("state")), "its state stayed in the training's directory");
    }

    @Test
    void nettysEpollLibraryIsPlacedUnderTheNameItsLoaderLooksFor() throws Exception {
        AotTraining.StandInEngine.placeNativeLibrary(dir);
        String name = System.mapLibraryName("io_grpc_netty_shaded_netty_transport_native_epoll_" + PlatformDependent.normalizedArch());
        assertTrue(Files.size(dir.resolve(name)) > 0, name);
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(1, files.count(), "no partial copy is left beside it");
        }
    }
}
