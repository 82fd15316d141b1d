package dev.enviro.runtime.security;

/** Kernel releases compared by their leading numbers: "6.18.44-fc" > "4.8". */
final class KernelVersion {
    private KernelVersion() {}

    static int compare(String a, String b) {
        int[] x = numbers(a), y = numbers(b);
        for (int i = 0; i < 3; i++) {
            int c = Integer.compare(x[i], y[i]);
            if (c != 0) return c;
        }
        return 0;
    }

    private static int[] numbers(String release) {
        int[] n = new int[3];
        int j = 0;
        for (String p : release.split("[.]")) {
            if (j == 3) break;
            String digits = p.replaceFirst("^([0-9]*).*$", "$1");
            if (digits.isEmpty()) break;
            n[j++] = Integer.parseInt(digits);
        }
        return n;
    }
}
