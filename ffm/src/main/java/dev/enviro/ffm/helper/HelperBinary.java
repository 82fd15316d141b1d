package dev.enviro.ffm.helper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The C helper packaged in this jar, extracted to {@code <stateDir>/bin/enviro-helper-<sha256>}.
 * The file is executed as the engine's user; its digest is checked before every use so that a file
 * changed on disk (by accident or by someone else) is never run.
 */
public final class HelperBinary {
    private static final String RESOURCE = "/dev/enviro/ffm/helper/enviro-helper";

    private final Path path;
    private final String sha256;

    private HelperBinary(Path path, String sha256) {
        this.path = path;
        this.sha256 = sha256;
    }

    /** Extracts the helper under {@code stateDir} unless an intact copy is there already. */
    public static HelperBinary extract(Path stateDir) throws IOException {
        byte[] bytes;
        try (InputStream in = HelperBinary.class.getResourceAsStream(RESOURCE)) {
            if (in == null) throw new IOException("enviro-helper is missing from the enviro-ffm jar: rebuild it with 'mvn -pl ffm install'");
            bytes = in.readAllBytes();
        }
        String digest = sha256(bytes);
        Path bin = stateDir.resolve("bin");
        Files.createDirectories(bin);
        Path target = bin.resolve("enviro-helper-" + digest);
        if (Files.isRegularFile(target) && digest.equals(sha256(Files.readAllBytes(target)))) {
            return new HelperBinary(target, digest);
        }
        Path tmp = Files.createTempFile(bin, ".enviro-helper-", ".tmp", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ch.write(java.nio.ByteBuffer.wrap(bytes));
                ch.force(true);
            }
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("r-xr-xr-x"));
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("cannot rename " + tmp + " into place", e);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
        return new HelperBinary(target, digest);
    }

    /** The path to execute, after checking that the file still has the digest it was extracted with. */
    public Path verifiedPath() throws IOException {
        String actual = sha256(Files.readAllBytes(path));
        if (!actual.equals(sha256)) {
            throw new IOException(path + " has sha256 " + actual + ", expected " + sha256 + ": delete it and the engine extracts it again");
        }
        return path;
    }

    public Path path() { return path; }

    public String sha256() { return sha256; }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new UncheckedIOException(new IOException("the JDK has no SHA-256", e));
        }
    }
}
