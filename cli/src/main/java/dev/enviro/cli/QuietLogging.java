package dev.enviro.cli;

import io.grpc.netty.shaded.io.netty.util.internal.logging.InternalLoggerFactory;
import io.grpc.netty.shaded.io.netty.util.internal.logging.JdkLoggerFactory;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Client verbs in a JVM of their own print only warnings, and without starting logback (Netty would
 * otherwise find SLF4J and initialise it, costing start-up time for nothing); the daemon logs INFO to
 * stderr through logback (its logback.xml).
 */
public final class QuietLogging {

    /** Held so the JDK's weakly referenced logger keeps its level. */
    private static final Logger GRPC = Logger.getLogger("io.grpc");

    private QuietLogging() {}

    public static void forClient() {
        InternalLoggerFactory.setDefaultFactory(JdkLoggerFactory.INSTANCE);
        GRPC.setLevel(Level.WARNING);
    }
}
