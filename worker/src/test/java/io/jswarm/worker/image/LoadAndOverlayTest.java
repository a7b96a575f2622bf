package io.jswarm.worker.image;

import io.jswarm.linux.FileTrees;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jswarm.api.errors.ConflictException;
import io.jswarm.api.errors.InvalidArgumentException;
import io.jswarm.api.errors.NotFoundException;
import io.jswarm.linux.FileNodes;
import io.jswarm.linux.Mounts;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Load (docker save and OCI archives), layers in overlay form stacked by a real overlay mount, rm and GC. */
class LoadAndOverlayTest {
  private Path tmp;
  private final List<Path> mounts = new ArrayList<>();

  @BeforeEach
  void setUp() throws IOException {
    tmp = Files.createTempDirectory("h-image-load");
  }

  @AfterEach
  void tearDown() throws IOException {
    try {
      for (Path m : mounts) {
        Mounts.unmount(m, true);
      }
    } finally {
      FileTrees.delete(tmp);
    }
  }

  static byte[] lowerLayer() throws IOException {
    return new TestImages.Tar()
        .dir("a", 0755).file("a/x", "x").file("a/y", "y")
        .dir("b", 0755).file("b/keep", "keep").file("b/gone", "gone")
        .file("top", "top")
        .file("suid", "#!/bin/sh\n".getBytes(), 04755, 1234, 5678)
        .bytes();
  }

  static byte[] upperLayer() throws IOException {
    return new TestImages.Tar()
        .file(".wh.top", "")
        .dir("b", 0755).file("b/.wh.gone", "")
        .dir("a", 0700).file("a/.wh..wh..opq", "").file("a/new", "new")
        .bytes();
  }

  /** A docker-save archive in the legacy layout: {@code <id>/layer.tar}, config {@code <hex>.json}. */
  static byte[] dockerSave(String repoTag, byte[]... layers) throws IOException {
    ObjectNode config = Manifest.JSON.createObjectNode();
    config.put("architecture", "amd64").put("os", "linux").put("created", "2024-01-02T03:04:05Z");
    config.putObject("config").putArray("Cmd").add("/bin/sh");
    ArrayNode diffs = config.putObject("rootfs").put("type", "layers").putArray("diff_ids");
    for (byte[] l : layers) {
      diffs.add(Digest.of(l).toString());
    }
    byte[] configBytes = Manifest.JSON.writeValueAsBytes(config);
    TestImages.Tar tar = new TestImages.Tar();
    ObjectNode entry = Manifest.JSON.createArrayNode().addObject();
    entry.put("Config", Digest.of(configBytes).hex() + ".json");
    entry.putArray("RepoTags").add(repoTag);
    ArrayNode ls = entry.putArray("Layers");
    for (int i = 0; i < layers.length; i++) {
      tar.dir("layer" + i, 0755).file("layer" + i + "/layer.tar", layers[i], 0644, 0, 0);
      ls.add("layer" + i + "/layer.tar");
    }
    tar.file(Digest.of(configBytes).hex() + ".json", configBytes, 0644, 0, 0);
    tar.file("manifest.json", Manifest.JSON.writeValueAsBytes(entry.get("Config") == null ? null
        : Manifest.JSON.createArrayNode().add(entry)), 0644, 0, 0);
    return tar.bytes();
  }

  @Test
  void dockerSaveArchiveLoadsAndItsWhiteoutsGiveTheRightOverlayView() throws Exception {
    ImageStore s = new ImageStore(tmp.resolve("store"), ImageStore.Options.defaults());
    List<String> out = s.load(new ByteArrayInputStream(dockerSave("h-image/wh:1", lowerLayer(), upperLayer())),
        Progress.NONE);
    assertEquals(List.of("Loaded image: h-image/wh:1"), out);
    LocalImage img = s.prepare("h-image/wh:1");
    assertEquals(List.of("/bin/sh"), img.config().cmd());
    assertEquals(2, img.layers().size());
    Path upper = img.layers().get(1);
    assertEquals("y", FileNodes.getXattrString(upper.resolve("a"), LayerUnpacker.OPAQUE_XATTR));
    assertEquals(0L, Files.getAttribute(upper.resolve("top"), "unix:rdev"));
    assertTrue((((int) Files.getAttribute(upper.resolve("top"), "unix:mode")) & 0170000) == FileNodes.S_IFCHR);
    Path lower = img.layers().get(0);
    assertEquals(1234, Files.getAttribute(lower.resolve("suid"), "unix:uid"));
    assertEquals(5678, Files.getAttribute(lower.resolve("suid"), "unix:gid"));
    assertEquals(04755, ((int) Files.getAttribute(lower.resolve("suid"), "unix:mode")) & 07777);

    Path view = mountOverlay(img);
    assertFalse(Files.exists(view.resolve("top"), LinkOption.NOFOLLOW_LINKS), "whited out");
    assertFalse(Files.exists(view.resolve("b/gone"), LinkOption.NOFOLLOW_LINKS), "whited out");
    assertEquals("keep", Files.readString(view.resolve("b/keep")));
    assertEquals(List.of("new"), names(view.resolve("a")), "opaque dir hides the lower a/x and a/y");
    assertEquals(0700, ((int) Files.getAttribute(view.resolve("a"), "unix:mode")) & 07777);
    assertEquals("#!/bin/sh\n", Files.readString(view.resolve("suid")));
  }

  private Path mountOverlay(LocalImage img) throws IOException {
    Path upper = Files.createDirectories(tmp.resolve("upper"));
    Path work = Files.createDirectories(tmp.resolve("work"));
    Path target = Files.createDirectories(tmp.resolve("merged"));
    List<Path> topFirst = new ArrayList<>(img.layers());
    java.util.Collections.reverse(topFirst);
    Mounts.overlay(topFirst, upper, work, target);
    mounts.add(target);
    return target;
  }

  private static List<String> names(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void ociLayoutArchiveLoadsWithGzipLayers() throws Exception {
    byte[] layer = new TestImages.Tar().dir("etc", 0755).file("etc/hostname", "oci\n").bytes();
    byte[] gz = TestImages.gzip(layer);
    ObjectNode config = Manifest.JSON.createObjectNode();
    config.put("architecture", "amd64").put("os", "linux");
    config.putObject("config").putArray("Entrypoint").add("/bin/true");
    config.putObject("rootfs").put("type", "layers").putArray("diff_ids").add(Digest.of(layer).toString());
    byte[] configBytes = Manifest.JSON.writeValueAsBytes(config);
    byte[] manifest = Manifest.ociManifest(
        new Manifest.Descriptor(MediaTypes.OCI_CONFIG, Digest.of(configBytes), configBytes.length, null, null),
        List.of(new Manifest.Descriptor(MediaTypes.OCI_LAYER_GZIP, Digest.of(gz), gz.length, null, null)));
    ObjectNode index = Manifest.JSON.createObjectNode();
    index.put("schemaVersion", 2);
    ObjectNode m = index.putArray("manifests").addObject();
    m.put("mediaType", MediaTypes.OCI_MANIFEST).put("digest", Digest.of(manifest).toString())
        .put("size", manifest.length);
    m.putObject("annotations").put("io.containerd.image.name", "registry.example:5000/h-image/oci:2")
        .put("org.opencontainers.image.ref.name", "2");
    byte[] archive = new TestImages.Tar()
        .file("oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}")
        .file("index.json", Manifest.JSON.writeValueAsBytes(index), 0644, 0, 0)
        .file("blobs/sha256/" + Digest.of(manifest).hex(), manifest, 0644, 0, 0)
        .file("blobs/sha256/" + Digest.of(configBytes).hex(), configBytes, 0644, 0, 0)
        .file("blobs/sha256/" + Digest.of(gz).hex(), gz, 0644, 0, 0)
        .bytes();
    ImageStore s = new ImageStore(tmp.resolve("store"), ImageStore.Options.defaults());
    assertEquals(List.of("Loaded image: registry.example:5000/h-image/oci:2"),
        s.load(new ByteArrayInputStream(archive), Progress.NONE));
    LocalImage img = s.prepare("registry.example:5000/h-image/oci:2");
    assertEquals(Digest.of(configBytes).toString(), img.id());
    assertEquals(List.of("/bin/true"), img.config().entrypoint());
    assertEquals("oci\n", Files.readString(img.layers().get(0).resolve("etc/hostname")));

    // a corrupt blob in an archive is refused
    byte[] bad = gz.clone();
    bad[bad.length - 5] ^= 1;
    byte[] corrupt = new String(archive, java.nio.charset.StandardCharsets.ISO_8859_1)
        .replace(new String(gz, java.nio.charset.StandardCharsets.ISO_8859_1),
            new String(bad, java.nio.charset.StandardCharsets.ISO_8859_1))
        .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    ImageStore fresh = new ImageStore(tmp.resolve("fresh"), ImageStore.Options.defaults());
    IOException e = assertThrows(IOException.class, () -> fresh.load(new ByteArrayInputStream(corrupt), Progress.NONE));
    assertTrue(e.getMessage().contains("digest"), e.getMessage());
    assertTrue(fresh.list().isEmpty());
  }

  @Test
  void layersThatTryToLeaveTheirDirectoryAreRefused() throws Exception {
    for (byte[] evil : List.of(
        new TestImages.Tar().file("../escape", "x").bytes(),
        new TestImages.Tar().symlink("link", "/tmp").file("link/escape", "x").bytes(),
        new TestImages.Tar().hardlink("passwd", "../../../../etc/passwd").bytes(),
        new TestImages.Tar().hardlink("passwd", "etc/passwd").bytes())) {
      Path dir = Files.createTempDirectory(tmp, "layer");
      IOException e = assertThrows(IOException.class, () -> LayerUnpacker.unpack(new ByteArrayInputStream(evil), dir));
      assertTrue(e.getMessage().contains("layer entry"), e.getMessage());
    }
    assertFalse(Files.exists(tmp.resolve("escape")));
    assertFalse(Files.exists(Path.of("/tmp/escape")));
  }

  @Test
  void importThenRemoveUntagsLikeDockerAndCollectsGarbage() throws Exception {
    ImageStore s = new ImageStore(tmp.resolve("store"), ImageStore.Options.defaults());
    String id = s.importRootfs(new ByteArrayInputStream(TestImages.gzip(TestImages.busyboxRootfs())), "h-image/rm:1",
        List.of(), null);
    String other = s.importRootfs(new ByteArrayInputStream(new TestImages.Tar().file("f", "f").bytes()),
        "h-image/keep:1", List.of(), null);
    s.tag("h-image/rm:1", "h-image/rm:2");
    s.tag("h-image/rm:1", "h-image/elsewhere:1");
    assertEquals(Set.of("h-image/rm:1", "h-image/rm:2", "h-image/elsewhere:1"),
        Set.copyOf((List<?>) s.inspect(id).get("RepoTags")));
    assertThrows(NotFoundException.class, () -> s.inspect("h-image/nope"));

    // by id with tags in two repositories: refused unless forced
    ConflictException c = assertThrows(ConflictException.class, () -> s.remove(id.substring(7, 19), false, true));
    assertTrue(c.getMessage().contains("must be forced"), c.getMessage());
    // by tag: untag only
    assertEquals(List.of(Map.of("Untagged", "h-image/rm:2")), s.remove("h-image/rm:2", false, true));
    // in use by a container: never deleted
    s.setInUse(() -> Set.of(id));
    s.remove("h-image/elsewhere:1", false, true);
    assertThrows(ConflictException.class, () -> s.remove("h-image/rm:1", false, true));
    assertThrows(ConflictException.class, () -> s.remove(id, true, true));
    s.tag(id, "h-image/rm:3");
    assertEquals(List.of(Map.of("Untagged", "h-image/rm:3")), s.remove("h-image/rm:3", true, true),
        "forced: the tag goes, the image stays for its container");
    s.setInUse(Set::of);
    Path layerDir = s.prepare("h-image/rm:1").layers().get(0);
    List<Map<String, String>> removed = s.remove("h-image/rm:1", false, true);
    assertEquals(Map.of("Untagged", "h-image/rm:1"), removed.get(0));
    assertTrue(removed.contains(Map.of("Deleted", id)), removed.toString());
    assertFalse(Files.exists(layerDir), "unpacked layer collected");
    assertThrows(NotFoundException.class, () -> s.inspect(id));
    // what is left: only the other image's blobs (manifest, config, layer) and its layer
    assertEquals(3, s.root().resolve("blobs/sha256").toFile().list().length);
    assertEquals(other, s.prepare("h-image/keep:1").id());

    // the index survives a restart
    ImageStore again = new ImageStore(tmp.resolve("store"), ImageStore.Options.defaults());
    assertEquals(other, again.inspect("h-image/keep:1").get("Id"));
    assertEquals(1, again.list().size());
  }

  @Test
  void ambiguousIdPrefixesAndBadNamesAreRefused() throws Exception {
    ImageStore s = new ImageStore(tmp.resolve("store"), ImageStore.Options.defaults());
    List<String> ids = new ArrayList<>();
    for (int i = 0; ids.size() < 2 || ids.get(0).charAt(7) != ids.get(1).charAt(7); i++) {
      String id = s.importRootfs(new ByteArrayInputStream(new TestImages.Tar().file("f" + i, "x").bytes()), null,
          List.of(), "m" + i);
      if (ids.size() < 2) {
        ids.add(id);
      } else if (id.charAt(7) == ids.get(0).charAt(7)) {
        ids.set(1, id);
      }
    }
    String prefix = ids.get(0).substring(7, 8);
    InvalidArgumentException e = assertThrows(InvalidArgumentException.class, () -> s.remove(prefix, true, true));
    assertTrue(e.getMessage().contains("ambiguous"), e.getMessage());
    assertThrows(InvalidArgumentException.class, () -> s.tag(ids.get(0), "Upper/Case"));
    ByteArrayOutputStream saved = new ByteArrayOutputStream();
    s.save(List.of(ids.get(0)), saved);
    assertTrue(saved.size() > 0);
  }
}
