package dev.enviro.cli;

import dev.enviro.grpc.Timestamps;
import dev.enviro.grpc.EnviroClient;
import dev.enviro.grpc.v1.Image;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/** {@code enviro images}: one row per name, as {@code docker images}. */
@Command(name = "images", mixinStandardHelpOptions = true, description = "List images.")
final class ImagesCommand implements Callable<Integer> {

    @ParentCommand EnviroCommand root;

    @Override
    public Integer call() {
        List<Image> images;
        try (EnviroClient client = root.client()) {
            images = client.listImages();
        }
        table(images, Instant.now()).print(root.out);
        return 0;
    }

    static Table table(List<Image> images, Instant now) {
        Table table = new Table("REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE");
        for (Image image : images) {
            String id = shortId(image.getId());
            String created = image.hasCreated() ? HumanTime.of(Duration.between(Timestamps.instant(image.getCreated()), now)) + " ago" : "";
            String size = size(image.getSize());
            if (image.getNamesCount() == 0) {
                table.add("<none>", "<none>", id, created, size);
            }
            for (String name : image.getNamesList()) {
                // The tag is after the last colon that follows the last slash (a registry port is not a tag).
                int colon = name.lastIndexOf(':');
                boolean tagged = colon > name.lastIndexOf('/');
                table.add(tagged ? name.substring(0, colon) : name, tagged ? name.substring(colon + 1) : "<none>", id, created, size);
            }
        }
        return table;
    }

    static String shortId(String id) {
        String hex = id.startsWith("sha256:") ? id.substring(7) : id;
        return hex.length() > 12 ? hex.substring(0, 12) : hex;
    }

    /** Decimal units with three significant digits, as Docker prints sizes ("4.26MB"). */
    static String size(long bytes) {
        String[] units = {"B", "kB", "MB", "GB", "TB", "PB"};
        double value = bytes;
        int unit = 0;
        while (value >= 1000 && unit < units.length - 1) {
            value /= 1000;
            unit++;
        }
        String number = String.format(Locale.ROOT, "%.3g", value);
        if (number.contains(".")) {
            number = number.replaceAll("0+$", "").replaceAll("\\.$", "");
        }
        return number + units[unit];
    }
}
