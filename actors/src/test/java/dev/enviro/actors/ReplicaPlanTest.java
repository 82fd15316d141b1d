package dev.enviro.actors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReplicaPlanTest {

    private static ContainerView view(String name, ContainerView.State state) {
        return new ContainerView("id-" + name, name, "img", null, List.of(), state, 0, null, Instant.EPOCH, null, null,
                null, null, "scripted", 0, "no", false, dev.enviro.persistence.Resources.NONE);
    }

    @Test
    void missingReplicasAreCreatedExitedOnesReplacedAndOthersIgnored() {
        ReplicaPlan plan = ReplicaPlan.of("web", List.of(
                view("web.1", ContainerView.State.RUNNING),
                view("web.3", ContainerView.State.EXITED),
                view("web.4", ContainerView.State.CREATED),
                view("webx.2", ContainerView.State.RUNNING),
                view("web.02", ContainerView.State.RUNNING),
                view("web", ContainerView.State.RUNNING)), 4);
        assertEquals(List.of(2), plan.create());
        assertEquals(List.of("web.3"), plan.replace());
        assertEquals(List.of("web.4"), plan.start());
        assertEquals(List.of(), plan.remove());
        assertEquals(1, plan.running());
    }

    @Test
    void scalingDownRemovesTheHighestIndicesAndZeroRemovesAll() {
        List<ContainerView> five = List.of(view("web.1", ContainerView.State.RUNNING), view("web.2", ContainerView.State.RUNNING),
                view("web.3", ContainerView.State.RUNNING), view("web.4", ContainerView.State.EXITED),
                view("web.5", ContainerView.State.RUNNING));
        ReplicaPlan one = ReplicaPlan.of("web", five, 1);
        assertEquals(List.of("web.2", "web.3", "web.4", "web.5"), one.remove());
        assertTrue(one.create().isEmpty() && one.replace().isEmpty());
        assertEquals(5, ReplicaPlan.of("web", five, 0).remove().size());
        assertTrue(ReplicaPlan.of("web", five.subList(0, 3), 3).settled());
    }
}
