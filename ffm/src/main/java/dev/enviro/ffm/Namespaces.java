package dev.enviro.ffm;

/** clone(2)/unshare(2) namespace flags, as the kernel defines them. */
public final class Namespaces {
    private Namespaces() {}

    public static final long CLONE_NEWNS = 0x00020000, CLONE_NEWCGROUP = 0x02000000, CLONE_NEWUTS = 0x04000000,
            CLONE_NEWIPC = 0x08000000, CLONE_NEWUSER = 0x10000000, CLONE_NEWPID = 0x20000000,
            CLONE_NEWNET = 0x40000000;
}
