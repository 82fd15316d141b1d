package dev.enviro.actors;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a service must do to have exactly {@code desired} replicas running, decided from the containers
 * that exist now (pure: the service actor carries it out). Replica {@code i} is the container named
 * {@code <service>.<i>}; any other container is none of the service's business.
 *
 * @param create  indices with no container: create and start {@code <service>.<i>}
 * @param start   replicas created but not running yet (an earlier start failed): start them
 * @param replace replicas that exited: remove, then create and start one under the same name
 * @param remove  replicas above {@code desired}: remove with force (scale down)
 * @param running how many of the wanted replicas run now
 */
record ReplicaPlan(List<Integer> create, List<String> start, List<String> replace, List<String> remove, int running) {

    static String replicaName(String service, int index) {
        return service + "." + index;
    }

    static ReplicaPlan of(String service, List<ContainerView> containers, int desired) {
        Map<Integer, ContainerView> replicas = new TreeMap<>();
        String prefix = service + ".";
        for (ContainerView c : containers) {
            if (c.name().startsWith(prefix) && c.name().substring(prefix.length()).matches("[1-9][0-9]{0,6}")) {
                replicas.put(Integer.parseInt(c.name().substring(prefix.length())), c);
            }
        }
        List<Integer> create = new ArrayList<>();
        List<String> start = new ArrayList<>();
        List<String> replace = new ArrayList<>();
        List<String> remove = new ArrayList<>();
        int running = 0;
        for (int i = 1; i <= desired; i++) {
            ContainerView c = replicas.get(i);
            if (c == null) {
                create.add(i);
            } else {
                switch (c.state()) {
                    case RUNNING -> running++;
                    case CREATED -> start.add(c.name());
                    case EXITED -> replace.add(c.name());
                    case REMOVED -> create.add(i);
                }
            }
        }
        replicas.forEach((i, c) -> {
            if (i > desired && c.state() != ContainerView.State.REMOVED) {
                remove.add(c.name());
            }
        });
        return new ReplicaPlan(create, start, replace, remove, running);
    }

    boolean settled() {
        return create.isEmpty() && start.isEmpty() && replace.isEmpty() && remove.isEmpty();
    }
}
