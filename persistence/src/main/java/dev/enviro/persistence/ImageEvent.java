package dev.enviro.persistence;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** What happened to a local image (journal {@code images}); {@code reference} is the name, or the digest when unnamed. */
public sealed interface ImageEvent extends LifecycleEvent {

    String reference();

    String digest();

    @Override
    default String subject() {
        return reference();
    }

    @Override
    default Map<String, String> attributes() {
        Map<String, String> a = new LinkedHashMap<>();
        a.put("image", reference());
        if (digest() != null) {
            a.put("digest", digest());
        }
        return a;
    }

    record Pulled(String reference, String digest, Instant timestamp, Origin origin) implements ImageEvent {
        @Override
        public String topic() {
            return "/images/pull";
        }
    }

    record Loaded(String reference, String digest, Instant timestamp, Origin origin) implements ImageEvent {
        @Override
        public String topic() {
            return "/images/load";
        }
    }

    record Removed(String reference, String digest, Instant timestamp, Origin origin) implements ImageEvent {
        @Override
        public String topic() {
            return "/images/delete";
        }
    }
}
