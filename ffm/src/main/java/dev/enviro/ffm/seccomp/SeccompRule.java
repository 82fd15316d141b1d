package dev.enviro.ffm.seccomp;

import java.util.List;

/**
 * One rule of a filter: when system call {@code syscall} is made and every condition holds (all of
 * them: AND), the filter returns {@code action}. Several rules of one call are tried in order, the
 * first that matches wins (OR); when none matches, the filter's default action applies.
 */
public record SeccompRule(int syscall, List<ArgCondition> conditions, SeccompAction action) {
    public SeccompRule {
        conditions = List.copyOf(conditions);
        if (syscall < 0) throw new IllegalArgumentException("syscall number " + syscall + " is negative");
    }

    public static SeccompRule of(int syscall, SeccompAction action, ArgCondition... conditions) {
        return new SeccompRule(syscall, List.of(conditions), action);
    }
}
