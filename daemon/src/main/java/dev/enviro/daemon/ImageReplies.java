package dev.enviro.daemon;

import dev.enviro.grpc.v1.ImageLayer;
import dev.enviro.grpc.v1.InfoResponse;
import dev.enviro.grpc.v1.InspectImageResponse;
import dev.enviro.grpc.v1.PruneImagesResponse;
import dev.enviro.grpc.v1.RemoveImageResponse;
import dev.enviro.images.ImageDetails;
import dev.enviro.images.ImageRemoval;
import dev.enviro.images.PruneReport;

/** The engine's answers to the image verbs and {@code info}, as API messages. */
final class ImageReplies {
    private ImageReplies() {}

    static RemoveImageResponse removed(ImageRemoval r) {
        return RemoveImageResponse.newBuilder().addAllUntagged(r.untagged()).addAllDeleted(r.deleted()).build();
    }

    static InspectImageResponse details(ImageDetails d) {
        InspectImageResponse.Builder b = InspectImageResponse.newBuilder()
                .setImage(ApiMessages.image(d.summary()))
                .addAllDigests(d.digests())
                .setOs(d.os() == null ? "" : d.os())
                .setArchitecture(d.architecture() == null ? "" : d.architecture())
                .setConfigJson(d.configJson());
        for (ImageDetails.Layer l : d.layers()) {
            b.addLayers(ImageLayer.newBuilder().setDigest(l.digest()).setDiffId(l.diffId()).setSize(l.size()).setMediaType(l.mediaType()));
        }
        return b.build();
    }

    static PruneImagesResponse pruned(PruneReport r) {
        return PruneImagesResponse.newBuilder().addAllDeleted(r.deletedImages()).addAllUntagged(r.untagged())
                .setBlobs(r.blobs()).setSnapshots(r.snapshots()).setReclaimedBytes(r.reclaimedBytes()).build();
    }

    static InfoResponse info(EngineInfo i, int cliSessions) {
        return InfoResponse.newBuilder().setVersion(i.version()).setStateDir(i.stateDir()).setSnapshotter(i.snapshotter())
                .setCgroupVersion(i.cgroupVersion()).setCgroupLayout(i.cgroupLayout()).setRootless(i.rootless())
                .setExecutor(i.executor()).setIoUringRings(i.ioUringRings()).setJournal(i.journal()).setIdMap(i.idMap()).addAllInsecureRegistries(i.insecureRegistries())
                .setCliSessions(cliSessions).build();
    }
}
