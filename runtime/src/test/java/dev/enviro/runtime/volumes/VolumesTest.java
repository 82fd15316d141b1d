package dev.enviro.runtime.volumes;

import dev.enviro.errors.EnviroError;
import static dev.enviro.ffm.MountOptions.MS_NODEV;
import static dev.enviro.ffm.MountOptions.MS_NOEXEC;
import static dev.enviro.ffm.MountOptions.MS_NOSUID;
import static dev.enviro.ffm.MountOptions.MS_RDONLY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.enviro.ffm.helper.HelperPlan;
import dev.enviro.ffm.helper.HelperPlan.Volume;
import dev.enviro.persistence.RunOptions;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

class VolumesTest {

    private static final Predicate<Path> EXISTS = p -> !p.toString().startsWith("/missing");

    private static HelperPlan.Storage plan(List<String> volumes, List<String> tmpfs, boolean readOnly) {
        return Volumes.plan(new RunOptions(volumes, tmpfs, readOnly, List.of(), false), EXISTS);
    }

    private static String message(List<String> volumes, List<String> tmpfs) {
        return assertThrows(EnviroError.class, () -> plan(volumes, tmpfs, false)).getMessage();
    }

    @Test
    void bindsAreNosuidNodevAndReadOnlyOnlyWhenAsked() {
        List<Volume> v = plan(List.of("/srv/a:/a", "/srv/b:/b:ro", "/srv/c:/c:rw", "/srv/d:/d:ro,exec,suid"), List.of(), false).volumes();
        assertEquals(new Volume(Volume.Kind.BIND, "/srv/a", "/a", MS_NOSUID | MS_NODEV, ""), v.get(0));
        assertEquals(MS_NOSUID | MS_NODEV | MS_RDONLY, v.get(1).flags());
        assertEquals(MS_NOSUID | MS_NODEV, v.get(2).flags());
        assertEquals(MS_NODEV | MS_RDONLY, v.get(3).flags());
    }

    @Test
    void tmpfsIsNoexecNosuidNodevAndPassesItsDataOn() {
        Volume t = plan(List.of(), List.of("/scratch:size=1m,mode=1777"), false).volumes().getFirst();
        assertEquals(new Volume(Volume.Kind.TMPFS, "tmpfs", "/scratch", MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=1m,mode=1777"), t);
        assertEquals(MS_NOSUID | MS_NODEV | MS_RDONLY, plan(List.of(), List.of("/x:exec,ro"), false).volumes().getFirst().flags());
        assertEquals("", plan(List.of(), List.of("/x"), false).volumes().getFirst().data());
    }

    @Test
    void tmpfsOptionsTheKernelWouldRefuseAreRefusedHere() {
        assertEquals("size=50%,nr_inodes=10k,uid=1000,gid=1000,huge=never,noswap",
                plan(List.of(), List.of("/x:size=50%,nr_inodes=10k,uid=1000,gid=1000,huge=never,noswap"), false).volumes().getFirst().data());
        assertEquals("--tmpfs /x:size=-1: size=-1 is not valid: give a positive size such as size=64m or size=50%",
                message(List.of(), List.of("/x:size=-1")));
        assertTrue(message(List.of(), List.of("/x:size=0")).contains("positive size"));
        assertTrue(message(List.of(), List.of("/x:mode=999")).contains("octal permissions"));
        assertTrue(message(List.of(), List.of("/x:uid=me")).contains("give a number"));
        assertTrue(message(List.of(), List.of("/x:colour=blue")).contains("unknown option 'colour=blue'"));
    }

    @Test
    void readOnlyRootGetsPodmansWritableTmpfsUnlessAVolumeCoversThem() {
        HelperPlan.Storage s = plan(List.of("/srv/t:/tmp/"), List.of(), true);
        assertTrue(s.readOnlyRootfs());
        assertEquals(List.of("/tmp/", "/var/tmp", "/run"), s.volumes().stream().map(Volume::target).toList());
        assertEquals("mode=1777", s.volumes().get(1).data());
        assertEquals(List.of(), plan(List.of(), List.of(), false).volumes());
    }

    @Test
    void symlinkishTargetsAreKeptVerbatimForTheHelperToResolveInsideTheRoot() {
        assertEquals("/data/../../x", plan(List.of("/srv/a:/data/../../x"), List.of(), false).volumes().getFirst().target());
    }

    @Test
    void aNulInAPathIsRefusedAsTheRequestsFault() {
        assertTrue(message(List.of("/srv/a:/da\0ta"), List.of()).contains("NUL in the container path"));
        assertTrue(message(List.of("/srv/\0a:/data"), List.of()).contains("NUL in the host path"));
        assertTrue(message(List.of(), List.of("/scr\0atch")).contains("NUL in the container path"));
    }

    @Test
    void badRequestsNameTheFlagAndWhatToDo() {
        assertTrue(message(List.of("rel:/a"), List.of()).contains("not absolute (named volumes are not supported)"));
        assertTrue(message(List.of("/missing/x:/a"), List.of()).contains("/missing/x does not exist: create it first"));
        assertTrue(message(List.of("/srv:a"), List.of()).contains("container path a is not absolute"));
        assertTrue(message(List.of("/srv:/"), List.of()).contains("cannot mount over the container's root"));
        assertTrue(message(List.of("/srv:/.//"), List.of()).contains("cannot mount over the container's root"));
        assertTrue(message(List.of("/srv:/a:rx"), List.of()).contains("unknown option rx"));
        assertTrue(message(List.of("/srv"), List.of()).contains("expected HOST-PATH:CONTAINER-PATH"));
        assertTrue(message(List.of("/srv:/a", "/srv:/a/"), List.of()).contains("duplicate mount point /a/"));
        assertTrue(message(List.of(), List.of("/t:rbind")).contains("does not apply to a tmpfs"));
        assertTrue(message(List.of(), List.of("t")).startsWith("--tmpfs t:"));
    }
}
