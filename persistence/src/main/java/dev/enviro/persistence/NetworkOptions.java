package dev.enviro.persistence;

import java.util.List;

/**
 * The network flags of {@code run}, as the user typed them (the runtime's {@code ContainerNetwork}
 * checks and applies them; docs/network.md).
 *
 * @param network  {@code --network}: {@code none}, {@code host}; null: the default (a network namespace of its own)
 * @param dns      {@code --dns}: name server addresses for the container's /etc/resolv.conf
 * @param addHosts {@code --add-host NAME:ADDRESS}: extra lines of the container's /etc/hosts
 * @param publish  {@code -p [IP:]HOST:CTR[/PROTO]}: ports of the host that lead to the container's
 */
public record NetworkOptions(String network, List<String> dns, List<String> addHosts, List<String> publish) implements JournalSerializable {

    public static final NetworkOptions DEFAULT = new NetworkOptions(null, List.of(), List.of(), List.of());

    public NetworkOptions(String network, List<String> dns, List<String> addHosts) {
        this(network, dns, addHosts, List.of());
    }

    public NetworkOptions {
        network = network == null || network.isEmpty() ? null : network;
        dns = dns == null ? List.of() : List.copyOf(dns);
        addHosts = addHosts == null ? List.of() : List.copyOf(addHosts);
        publish = publish == null ? List.of() : List.copyOf(publish);
    }
}
