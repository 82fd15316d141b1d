package dev.enviro.persistence;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What happened to one service (persistence id {@code service|<name>}): its definition, the replica
 * count asked for, its removal. The replicas themselves are containers with their own journals.
 */
public sealed interface ServiceEvent extends LifecycleEvent {

    String service();

    @Override
    default String subject() {
        return service();
    }

    /** {@code command} empty: the image's. Replicas are named {@code <service>.1} ... {@code <service>.N}. */
    record Created(String service, String image, List<String> command, int replicas, Instant timestamp, Origin origin)
            implements ServiceEvent {
        public Created {
            command = command == null ? List.of() : List.copyOf(command);
        }

        @Override
        public String topic() {
            return "/services/create";
        }

        @Override
        public Map<String, String> attributes() {
            Map<String, String> a = new LinkedHashMap<>();
            a.put("image", image);
            a.put("replicas", Integer.toString(replicas));
            return a;
        }
    }

    record Scaled(String service, int replicas, Instant timestamp, Origin origin) implements ServiceEvent {
        @Override
        public String topic() {
            return "/services/update";
        }

        @Override
        public Map<String, String> attributes() {
            return Map.of("replicas", Integer.toString(replicas));
        }
    }

    record Removed(String service, Instant timestamp, Origin origin) implements ServiceEvent {
        @Override
        public String topic() {
            return "/services/delete";
        }

        @Override
        public Map<String, String> attributes() {
            return Map.of();
        }
    }
}
