package dev.enviro.runtime.logs;

import dev.enviro.errors.EnviroError;
import dev.enviro.errors.ErrorCode;
import dev.enviro.ffm.helper.HelperPlan;
import java.util.List;
import java.util.Locale;

/**
 * {@code --log-opt max-size=…}, {@code max-file=…} turned into the monitor's rotation. Unlike Docker's
 * json-file driver, which keeps everything unless told, the default is bounded: 10 MiB per file and 5
 * files, so no container can fill the disk with its output (docs/logs.md).
 */
public final class LogLimits {
    private LogLimits() {}

    public static final long DEFAULT_MAX_SIZE = 10L << 20;
    public static final int DEFAULT_MAX_FILE = 5;

    public static HelperPlan.LogRotation parse(List<String> logOpts) {
        long maxSize = DEFAULT_MAX_SIZE;
        int maxFile = DEFAULT_MAX_FILE;
        for (String opt : logOpts) {
            int eq = opt.indexOf('=');
            if (eq <= 0) throw new EnviroError(ErrorCode.INVALID_ARGUMENT, "--log-opt " + opt + ": expected KEY=VALUE (max-size=10m, max-file=5)");
            String key = opt.substring(0, eq).trim(), value = opt.substring(eq + 1).trim();
            switch (key) {
                case "max-size" -> maxSize = size(opt, value);
                case "max-file" -> {
                    try {
                        maxFile = Integer.parseInt(value);
                    } catch (NumberFormatException e) {
                        maxFile = 0;
                    }
                    if (maxFile < 1 || maxFile > 1000) throw new EnviroError(ErrorCode.INVALID_ARGUMENT, "--log-opt " + opt + ": max-file is a number from 1 to 1000");
                }
                default -> throw new EnviroError(ErrorCode.INVALID_ARGUMENT, "--log-opt " + opt + ": unknown option (max-size, max-file)");
            }
        }
        return new HelperPlan.LogRotation(maxSize, maxFile);
    }

    /** {@code 512}, {@code 100k}, {@code 10m}, {@code 1g} (binary units, as Docker reads them). */
    static long size(String opt, String value) {
        String v = value.toLowerCase(Locale.ROOT);
        if (v.endsWith("b")) v = v.substring(0, v.length() - 1);
        long unit = 1;
        if (!v.isEmpty()) {
            switch (v.charAt(v.length() - 1)) {
                case 'k' -> unit = 1L << 10;
                case 'm' -> unit = 1L << 20;
                case 'g' -> unit = 1L << 30;
                default -> { }
            }
        }
        if (unit != 1) v = v.substring(0, v.length() - 1);
        try {
            long n = Long.parseLong(v);
            // a record is at most 16 KiB of content plus its prefix: a smaller file would hold less than one
            if (n > 0 && n <= Long.MAX_VALUE / unit && n * unit >= 32 * 1024) return n * unit;
        } catch (NumberFormatException e) {
            // fall through to the error
        }
        throw new EnviroError(ErrorCode.INVALID_ARGUMENT, "--log-opt " + opt + ": max-size is a size of at least 32k (e.g. 10m, 512k, 1g)");
    }
}
