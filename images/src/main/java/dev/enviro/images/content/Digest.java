package dev.enviro.images.content;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** A sha256 content digest, {@code sha256:<64 lowercase hex>}; the only algorithm the store accepts. */
public record Digest(String hex) {
    private static final Pattern HEX = Pattern.compile("[0-9a-f]{64}");

    public Digest {
        if (!HEX.matcher(hex).matches()) throw new IllegalArgumentException("not a sha256 hex digest: " + hex);
    }

    /** Parses {@code sha256:<hex>}; throws IllegalArgumentException for any other algorithm or shape. */
    public static Digest parse(String digest) {
        if (digest == null || !digest.startsWith("sha256:")) {
            throw new IllegalArgumentException("not a sha256 digest: " + digest);
        }
        return new Digest(digest.substring(7));
    }

    public static boolean isValid(String digest) {
        return digest != null && digest.startsWith("sha256:") && HEX.matcher(digest.substring(7)).matches();
    }

    public static Digest of(byte[] content) {
        return new Digest(HexFormat.of().formatHex(sha256().digest(content)));
    }

    static Digest of(MessageDigest finished) {
        return new Digest(HexFormat.of().formatHex(finished.digest()));
    }

    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("every JDK has SHA-256", e);
        }
    }

    @Override
    public String toString() {
        return "sha256:" + hex;
    }
}
