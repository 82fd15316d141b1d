package dev.enviro.cli;

import io.grpc.netty.shaded.io.netty.util.internal.logging.InternalLoggerFactory;
import io.grpc.netty.shaded.io.netty.util.internal.logging.JdkLoggerFactory;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Logging levels by role: client verbs print only warnings, and without starting logback (Netty
 * would otherwise find SLF4J and initialise it, costing start-up time for nothing); the daemon logs
 * INFO to stderr through logback (logback.xml reads {@code enviro.log.level}).
 */
final class QuietLogging {

    /** Held so the JDK's weakly referenced logger keeps its level. */
    private static final Logger GRPC = Logger.getLogger("io.grpc");

    private QuietLogging() {}

    static void forClient() {
        InternalLoggerFactory.setDefaultFactory(JdkLoggerFactory.INSTANCE);
        GRPC.setLevel(Level.WARNING);
    }

    /** Must run before the first SLF4J logger is created. */
    static void forDaemon() {
        System.setProperty("enviro.log.level", "INFO");
    }
}
