package io.jswarm.worker.container;

import io.jswarm.worker.image.ImageProvider;
import io.jswarm.worker.image.LocalImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** A one-layer image made from the host's static busybox (/bin/busybox), with an httpd document root /www. */
final class BusyboxImage implements ImageProvider {
  static final Path BUSYBOX = Path.of("/bin/busybox");
  private final LocalImage image;

  BusyboxImage(Path dir, LocalImage.Healthcheck healthcheck) throws IOException, InterruptedException {
    Path layer = dir.resolve("layer0");
    Files.createDirectories(layer.resolve("bin"));
    Files.copy(BUSYBOX, layer.resolve("bin/busybox"));
    Process p = new ProcessBuilder(BUSYBOX.toString(), "--list").redirectErrorStream(true).start();
    String applets = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IOException("busybox --list failed: " + applets);
    }
    for (String a : applets.split("\n")) {
      if (!a.isBlank() && !a.equals("busybox")) {
        Files.createSymbolicLink(layer.resolve("bin").resolve(a.trim()), Path.of("busybox"));
      }
    }
    for (String d : List.of("etc", "tmp", "www", "proc", "sys", "dev")) {
      Files.createDirectories(layer.resolve(d));
    }
    Files.writeString(layer.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534::/:/bin/sh\n");
    Files.writeString(layer.resolve("etc/group"), "root:x:0:\nnogroup:x:65534:\n");
    Files.writeString(layer.resolve("www/index.html"), "hello from h-exec\n");
    image = new LocalImage("sha256:" + "0".repeat(64), "busybox",
        new LocalImage.RunConfig(null, List.of("sh"), List.of("PATH=/bin"), "/", null, null, healthcheck, null,
            null),
        List.of(layer));
  }

  @Override
  public LocalImage prepare(String reference) throws IOException {
    if (!reference.equals("busybox")) {
      throw new IOException("no image " + reference + " in the test store");
    }
    return image;
  }
}
