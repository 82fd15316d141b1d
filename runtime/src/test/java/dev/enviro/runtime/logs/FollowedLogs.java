package dev.enviro.runtime.logs;

import dev.enviro.ffm.uring.SyscallDispatcher;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.nio.file.Path;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * A {@link ContainerLogs} on a real {@link SyscallDispatcher}, fresh for each test: register it with
 * {@code @RegisterExtension} and follow logs through it.
 */
final class FollowedLogs implements BeforeEachCallback, AfterEachCallback {
    private SyscallDispatcher dispatcher;
    private ContainerLogs logs;

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        dispatcher = SyscallDispatcher.start();
        logs = new ContainerLogs(dispatcher);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        // afterEach runs even when beforeEach failed half-way: close only what was opened.
        try {
            if (logs != null) logs.close();
        } finally {
            if (dispatcher != null) dispatcher.close();
        }
    }

    /** {@link ContainerLogs#follow}. */
    LogFollow follow(Path log, boolean follow, CompletionStage<?> until, Consumer<LogRecord> sink) {
        return logs.follow(log, follow, until, sink);
    }
}
