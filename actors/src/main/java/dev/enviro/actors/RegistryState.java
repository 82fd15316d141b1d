package dev.enviro.actors;

import dev.enviro.errors.EnviroError;
import dev.enviro.errors.ErrorCode;
import dev.enviro.persistence.RegistryEvent;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the engine registry knows: container ids and their unique names, in creation order. Pure
 * and immutable, so resolution (id, unique id prefix, name) is unit-tested without actors. It is the
 * registry's snapshot too (CBOR, as the events).
 */
record RegistryState(Map<String, String> namesById, Set<String> services)
        implements dev.enviro.persistence.JournalSerializable {

    RegistryState {
        namesById = Collections.unmodifiableMap(new LinkedHashMap<>(namesById));
        services = Collections.unmodifiableSet(new java.util.TreeSet<>(services));
    }

    RegistryState(Map<String, String> namesById) {
        this(namesById, Set.of());
    }

    static RegistryState empty() {
        return new RegistryState(Map.of());
    }

    RegistryState apply(RegistryEvent event) {
        Map<String, String> next = new LinkedHashMap<>(namesById);
        Set<String> nextServices = new java.util.TreeSet<>(services);
        switch (event) {
            case RegistryEvent.Registered r -> next.put(r.containerId(), r.name());
            case RegistryEvent.Unregistered u -> next.remove(u.containerId());
            case RegistryEvent.ServiceRegistered r -> nextServices.add(r.service());
            case RegistryEvent.ServiceUnregistered u -> nextServices.remove(u.service());
        }
        return new RegistryState(next, nextServices);
    }

    Set<String> names() {
        return Set.copyOf(namesById.values());
    }

    List<String> ids() {
        return new ArrayList<>(namesById.keySet());
    }

    /** The id a name is registered under, or null. */
    String idOfName(String name) {
        for (Map.Entry<String, String> e : namesById.entrySet()) {
            if (e.getValue().equals(name)) {
                return e.getKey();
            }
        }
        return null;
    }

    /**
     * Resolves as Docker does: a full id, then an exact name, then a unique id prefix.
     *
     * @throws EnviroError NOT_FOUND, or INVALID_ARGUMENT for an ambiguous prefix
     */
    String resolve(String ref) {
        if (ref == null || ref.isEmpty()) {
            throw new EnviroError(ErrorCode.INVALID_ARGUMENT, "no container given: name a container by id or name");
        }
        if (namesById.containsKey(ref)) {
            return ref;
        }
        String byName = idOfName(ref);
        if (byName != null) {
            return byName;
        }
        List<String> matches = namesById.keySet().stream().filter(id -> id.startsWith(ref)).toList();
        if (matches.size() == 1) {
            return matches.getFirst();
        }
        if (matches.size() > 1) {
            throw new EnviroError(ErrorCode.INVALID_ARGUMENT, "container id prefix " + ref + " is ambiguous ("
                    + matches.size() + " containers): give more characters");
        }
        throw new EnviroError(ErrorCode.NOT_FOUND, "no such container: " + dev.enviro.errors.Echo.of(ref));
    }
}
