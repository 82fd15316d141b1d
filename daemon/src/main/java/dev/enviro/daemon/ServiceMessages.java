package dev.enviro.daemon;

import dev.enviro.grpc.Timestamps;

import dev.enviro.actors.ServiceView;
import dev.enviro.grpc.v1.ListServicesResponse;
import dev.enviro.grpc.v1.Service;
import dev.enviro.grpc.v1.ServiceResponse;
import java.util.List;

/** Services between the engine's read model and the API's messages. */
final class ServiceMessages {
    private ServiceMessages() {}

    static Service service(ServiceView v) {
        Service.Builder b = Service.newBuilder().setName(v.name()).setReplicas(v.replicas()).setRunning(v.running());
        if (v.image() != null) b.setImage(v.image());
        if (v.command() != null) b.addAllCommand(v.command());
        if (v.createdAt() != null) b.setCreatedAt(Timestamps.timestamp(v.createdAt()));
        return b.build();
    }

    static ServiceResponse response(ServiceView v) {
        return ServiceResponse.newBuilder().setService(service(v)).build();
    }

    static ListServicesResponse list(List<ServiceView> views) {
        return ListServicesResponse.newBuilder().addAllServices(views.stream().map(ServiceMessages::service).toList()).build();
    }
}
