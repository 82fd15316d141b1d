package dev.enviro.runtime.security;

import dev.enviro.errors.EnviroError;
import dev.enviro.errors.ErrorCode;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.enviro.ffm.Capability;
import dev.enviro.ffm.seccomp.ArgCondition;
import dev.enviro.ffm.seccomp.SeccompAction;
import dev.enviro.ffm.seccomp.SeccompArch;
import dev.enviro.ffm.seccomp.SeccompProgram;
import dev.enviro.ffm.seccomp.SeccompRule;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;
import java.util.Set;

/**
 * A seccomp profile in the Docker/OCI JSON format ({@code defaultAction}, {@code defaultErrnoRet},
 * {@code architectures} or {@code archMap}, {@code syscalls[{names, action, errnoRet, args[{index,
 * value, valueTwo, op}], includes, excludes}]}), and its compilation to a BPF program for one
 * container. The built-in default ({@code default-seccomp.json}) goes through the same parser as a
 * user's file.
 *
 * <p>As Docker does: names this architecture lacks are skipped; a rule with {@code includes.caps}
 * applies only when the container holds all of them, with {@code excludes.caps} only when it holds
 * none; {@code includes.minKernel} compares with the running kernel; {@code arches} with x86_64.
 */
public record SeccompProfile(SeccompAction defaultAction, List<Entry> syscalls, List<String> architectures) {

    /** One element of {@code syscalls}. */
    public record Entry(List<String> names, SeccompAction action, List<ArgCondition> args, Set<String> includeCaps,
            Set<String> excludeCaps, Set<String> includeArches, Set<String> excludeArches, String minKernel) {}

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int EPERM = 1;

    public SeccompProfile {
        syscalls = List.copyOf(syscalls);
        architectures = List.copyOf(architectures);
    }

    /** Docker's default profile, as shipped in this jar; parsed once per engine (~1.5 ms a start otherwise). */
    public static SeccompProfile builtIn() {
        return BuiltIn.PROFILE;
    }

    /** Loaded on first use: a broken jar fails the first start that needs the profile, not the engine's class loading. */
    private static final class BuiltIn {
        static final SeccompProfile PROFILE = load();
    }

    private static SeccompProfile load() {
        try (InputStream in = SeccompProfile.class.getResourceAsStream("default-seccomp.json")) {
            if (in == null) throw new IOException("default-seccomp.json is missing from enviro-runtime");
            return parse(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8), "the built-in profile");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @param origin names the profile in errors (a path, or "the built-in profile") */
    public static SeccompProfile parse(String json, String origin) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JacksonException e) {
            throw new EnviroError(ErrorCode.INVALID_ARGUMENT, "seccomp profile " + origin + ": not JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) throw new EnviroError(ErrorCode.INVALID_ARGUMENT, "seccomp profile " + origin + ": not a JSON object");
        int defaultErrno = root.path("defaultErrnoRet").asInt(EPERM);
        SeccompAction dflt = action(origin, text(root, "defaultAction", origin), root.has("defaultErrnoRet") ? defaultErrno : EPERM);
        List<String> arches = new ArrayList<>();
        root.path("architectures").forEach(a -> arches.add(a.asText()));
        root.path("archMap").forEach(m -> arches.add(m.path("architecture").asText()));
        List<Entry> entries = new ArrayList<>();
        int i = 0;
        for (JsonNode s : root.path("syscalls")) {
            String where = origin + " syscalls[" + i++ + "]";
            List<String> names = new ArrayList<>();
            s.path("names").forEach(n -> names.add(n.asText()));
            if (s.hasNonNull("name")) names.add(s.get("name").asText());
            if (names.isEmpty()) throw new EnviroError(ErrorCode.INVALID_ARGUMENT, "seccomp profile " + where + ": no names");
            SeccompAction action = action(where, text(s, "action", where), s.path("errnoRet").asInt(EPERM));
            List<ArgCondition> args = new ArrayList<>();
            for (JsonNode a : s.path("args")) args.add(argument(where, a));
            entries.add(new Entry(names, action, args, strings(s.path("includes").path("caps")), strings(s.path("excludes").path("caps")),
                    strings(s.path("includes").path("arches")), strings(s.path("excludes").path("arches")),
                    s.path("includes").path("minKernel").asText("")));
        }
        return new SeccompProfile(dflt, entries, arches);
    }

    /** The filter for a container holding {@code caps}, on {@code arch}, under kernel {@code kernelRelease}. */
    public SeccompProgram compile(SeccompArch arch, Set<Capability> caps, String kernelRelease) {
        if (!architectures.isEmpty() && architectures.stream().noneMatch(arch::isNamed)) {
            throw new EnviroError(ErrorCode.INVALID_ARGUMENT, "seccomp profile: its architectures " + architectures + " do not include " + arch
                    + ": add SCMP_ARCH_X86_64");
        }
        List<SeccompRule> rules = new ArrayList<>();
        for (Entry e : syscalls) {
            if (!e.includeCaps.isEmpty() && !e.includeCaps.stream().allMatch(c -> holds(caps, c))) continue;
            if (e.excludeCaps.stream().anyMatch(c -> holds(caps, c))) continue;
            if (!e.includeArches.isEmpty() && e.includeArches.stream().noneMatch(arch::isNamed)) continue;
            if (e.excludeArches.stream().anyMatch(arch::isNamed)) continue;
            if (!e.minKernel.isEmpty() && KernelVersion.compare(kernelRelease, e.minKernel) < 0) continue;
            for (String name : e.names) {
                OptionalInt nr = arch.number(name);
                if (nr.isPresent()) rules.add(new SeccompRule(nr.getAsInt(), e.args, e.action));
            }
        }
        return SeccompProgram.assemble(arch, defaultAction, SeccompAction.KILL_PROCESS, rules);
    }

    private static boolean holds(Set<Capability> caps, String name) {
        return Capability.parse(name).map(caps::contains).orElse(false);
    }

    private static String text(JsonNode node, String field, String where) {
        JsonNode v = node.get(field);
        if (v == null || !v.isTextual()) throw new EnviroError(ErrorCode.INVALID_ARGUMENT, "seccomp profile " + where + ": \"" + field + "\" is missing");
        return v.asText();
    }

    private static Set<String> strings(JsonNode array) {
        Set<String> out = new java.util.LinkedHashSet<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    static SeccompAction action(String where, String name, int errno) {
        return switch (name.toUpperCase(Locale.ROOT)) {
            case "SCMP_ACT_ALLOW" -> SeccompAction.ALLOW;
            case "SCMP_ACT_ERRNO" -> new SeccompAction.Errno(errno);
            case "SCMP_ACT_KILL", "SCMP_ACT_KILL_THREAD" -> new SeccompAction.KillThread();
            case "SCMP_ACT_KILL_PROCESS" -> SeccompAction.KILL_PROCESS;
            case "SCMP_ACT_TRAP" -> new SeccompAction.Trap();
            case "SCMP_ACT_TRACE" -> new SeccompAction.Trace(errno);
            case "SCMP_ACT_LOG" -> new SeccompAction.Log();
            default -> throw new EnviroError(ErrorCode.INVALID_ARGUMENT, "seccomp profile " + where + ": action " + name
                    + " is not supported (SCMP_ACT_ALLOW, _ERRNO, _KILL, _KILL_PROCESS, _TRAP, _TRACE, _LOG are)");
        };
    }

    private static ArgCondition argument(String where, JsonNode a) {
        String op = a.path("op").asText("");
        ArgCondition.Op o;
        try {
            o = ArgCondition.Op.valueOf(op.replaceFirst("^SCMP_CMP_", ""));
        } catch (IllegalArgumentException e) {
            throw new EnviroError(ErrorCode.INVALID_ARGUMENT, "seccomp profile " + where + ": unknown operator \"" + op + "\"");
        }
        try {
            return new ArgCondition(a.path("index").asInt(-1), o, unsigned(a.path("value")), unsigned(a.path("valueTwo")));
        } catch (IllegalArgumentException e) {
            throw new EnviroError(ErrorCode.INVALID_ARGUMENT, "seccomp profile " + where + ": " + e.getMessage());
        }
    }

    /** JSON numbers up to 2^64-1 (Docker writes masks like 18446744073709551615). */
    private static long unsigned(JsonNode n) {
        if (n.isMissingNode() || n.isNull()) return 0;
        return n.isBigInteger() ? n.bigIntegerValue().longValue() : n.asLong();
    }
}
