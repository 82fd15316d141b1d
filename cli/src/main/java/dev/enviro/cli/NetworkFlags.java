package dev.enviro.cli;

import dev.enviro.grpc.v1.ContainerSpec;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** The network flags of {@code run} and {@code create}, passed as typed: the engine checks them (docs/network.md). */
final class NetworkFlags {
    @Option(names = {"--network", "--net"}, paramLabel = "MODE",
            description = "none (loopback only), host (the host's network) or bridge (an address on the engine's bridge); default: none.")
    String network;
    @Option(names = "--dns", paramLabel = "ADDRESS", description = "A name server for the container's /etc/resolv.conf (default: the host's).")
    List<String> dns = new ArrayList<>();
    @Option(names = "--add-host", paramLabel = "NAME:ADDRESS", description = "An extra line in the container's /etc/hosts.")
    List<String> addHosts = new ArrayList<>();
    @Option(names = {"-p", "--publish"}, paramLabel = "[IP:]HOST:CTR[/PROTO]",
            description = "Publish a container port on the host (--network bridge): 8080:80, 127.0.0.1:8080:80, 5353:53/udp, 9000-9002:90-92.")
    List<String> publish = new ArrayList<>();

    void apply(ContainerSpec.Builder spec) {
        if (network != null) spec.setNetwork(network);
        spec.addAllDns(dns).addAllAddHost(addHosts).addAllPublish(publish);
    }
}
