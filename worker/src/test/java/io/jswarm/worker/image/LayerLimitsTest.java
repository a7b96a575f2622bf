package io.jswarm.worker.image;

import io.jswarm.linux.FileTrees;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Layers past the node's unpack limits, pulled from Debian's docker-registry on loopback: a small gzip that
 * expands past the size limit, sparse tar entries (GNU and PAX formats) whose real size is past it, too many
 * entries. Each pull is refused with a message naming the limit, and nothing of the image stays on disk; the same
 * limits bound {@code image load} archives and {@code image import} tarballs.
 */
class LayerLimitsTest {
  private static final long MIB = 1 << 20;
  private TestRegistry registry;
  private Path tmp;

  @BeforeEach
  void start() throws Exception {
    tmp = Files.createTempDirectory("h-image-limits");
    registry = new TestRegistry();
  }

  @AfterEach
  void stop() throws Exception {
    try {
      if (registry != null) {
        registry.close();
      }
    } finally {
      FileTrees.delete(tmp);
    }
  }

  private ImageStore store(String name, UnpackLimits limits) throws IOException {
    return new ImageStore(tmp.resolve(name), ImageStore.Options.defaults().withUnpackLimits(limits));
  }

  /** Pushes a one-layer image whose layer blob is {@code blob} (of the uncompressed {@code tar}). */
  private String push(String name, byte[] tar, byte[] blob, String mediaType) throws Exception {
    RegistryClient c = new RegistryClient(java.net.URI.create("http://" + registry.host()),
        RegistryClient.httpClient(null), RegistryAuth.NONE, "test registry");
    String repo = "h-image/" + name;
    Digest layer = Digest.of(blob);
    ObjectNode config = Manifest.JSON.createObjectNode();
    config.put("architecture", ImageStore.nodeArchitecture());
    config.put("os", "linux");
    config.putObject("config");
    ObjectNode rootfs = config.putObject("rootfs");
    rootfs.put("type", "layers");
    rootfs.putArray("diff_ids").add(Digest.of(tar).toString());
    byte[] configBytes = Manifest.JSON.writeValueAsBytes(config);
    Digest configDigest = Digest.of(configBytes);
    for (Object[] b : new Object[][] {{layer, blob}, {configDigest, configBytes}}) {
      Path f = Files.write(tmp.resolve("upload"), (byte[]) b[1]);
      c.upload(repo, (Digest) b[0], f);
    }
    byte[] manifest = Manifest.ociManifest(
        new Manifest.Descriptor(MediaTypes.OCI_CONFIG, configDigest, configBytes.length, null, null),
        List.of(new Manifest.Descriptor(mediaType, layer, blob.length, null, null)));
    c.putManifest(repo, "v1", manifest, MediaTypes.OCI_MANIFEST);
    return registry.host() + "/" + repo + ":v1";
  }

  /** Nothing of any image in the store's directory: no blob, no layer, no temporary file, no index entry. */
  private static void assertEmpty(ImageStore s) throws IOException {
    for (String d : List.of("blobs/sha256", "layers", "ingest")) {
      try (Stream<Path> files = Files.list(s.root().resolve(d))) {
        assertEquals(List.of(), files.toList(), d + " must be empty");
      }
    }
    assertTrue(s.list().isEmpty());
  }

  private static byte[] gnuTar(Path dir, String format, String... files) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("tar", "--sparse", "--format=" + format, "-cf", "-", "-C",
        dir.toString()));
    cmd.addAll(List.of(files));
    Process p = new ProcessBuilder(cmd).start();
    byte[] out = p.getInputStream().readAllBytes();
    String err = new String(p.getErrorStream().readAllBytes());
    assertEquals(0, p.waitFor(), err);
    return out;
  }

  @Test
  void aSmallGzipLayerThatExpandsPastTheLimitIsRefusedAndNothingStays() throws Exception {
    byte[] tar = new TestImages.Tar().dir("data", 0755).file("data/zeros", new byte[(int) (8 * MIB)], 0644, 0, 0)
        .bytes();
    byte[] gz = TestImages.gzip(tar);
    assertTrue(gz.length < 10_000, "a 10 KB gzip: " + gz.length);
    String ref = push("bomb", tar, gz, MediaTypes.OCI_LAYER_GZIP);
    ImageStore b = store("b", new UnpackLimits(4 * MIB, 1000));
    LayerLimitException e = assertThrows(LayerLimitException.class, () -> b.prepare(ref));
    assertTrue(e.getMessage().startsWith("layer " + Digest.of(gz) + " expands past 4194304 bytes"), e.getMessage());
    assertTrue(e.getMessage().contains("(jswarm daemon --image-max-layer-size)"), e.getMessage());
    assertEmpty(b);
    // the same layer within a larger limit is pulled
    ImageStore c = store("c", new UnpackLimits(16 * MIB, 1000));
    assertEquals(1, c.prepare(ref).layers().size());
  }

  @Test
  void sparseEntriesCountByTheirRealSize() throws Exception {
    Path src = Files.createDirectories(tmp.resolve("sparse-src"));
    try (var f = new java.io.RandomAccessFile(src.resolve("big").toFile(), "rw")) {
      f.setLength(1L << 30); // 1 GiB, all hole
      f.seek(5 * MIB);
      f.write(1);
    }
    try (var f = new java.io.RandomAccessFile(src.resolve("small").toFile(), "rw")) {
      f.setLength(2 * MIB);
      f.seek(MIB);
      f.write(1);
    }
    for (String format : List.of("gnu", "posix")) {
      byte[] tar = gnuTar(src, format, "big");
      assertTrue(tar.length < 64 * 1024, format + " sparse tar of " + tar.length + " bytes");
      String ref = push("sparse-" + format, tar, tar, MediaTypes.OCI_LAYER);
      ImageStore b = store("b-" + format, new UnpackLimits(64 * MIB, 1000));
      LayerLimitException e = assertThrows(LayerLimitException.class, () -> b.prepare(ref), format);
      assertTrue(e.getMessage().contains("expands past 67108864 bytes") && e.getMessage().contains(
          "(a sparse file of 1073741824 bytes)"), format + ": " + e.getMessage());
      assertEmpty(b);

      byte[] smallTar = gnuTar(src, format, "small");
      String small = push("small-" + format, smallTar, smallTar, MediaTypes.OCI_LAYER);
      ImageStore c = store("c-" + format, new UnpackLimits(4 * MIB, 1000));
      Path layer = c.prepare(small).layers().get(0);
      assertEquals(2 * MIB, Files.size(layer.resolve("small")), "a sparse file within the limit unpacks whole");
    }
  }

  @Test
  void tooManyEntriesAreRefused() throws Exception {
    TestImages.Tar t = new TestImages.Tar();
    for (int i = 0; i < 30; i++) {
      t.file("f" + i, "x");
    }
    byte[] tar = t.bytes();
    String ref = push("many", tar, tar, MediaTypes.OCI_LAYER);
    ImageStore b = store("b", new UnpackLimits(64 * MIB, 20));
    LayerLimitException e = assertThrows(LayerLimitException.class, () -> b.prepare(ref));
    assertTrue(e.getMessage().contains("has more than 20 entries, this node's limit (jswarm daemon "
        + "--image-max-layer-entries)"), e.getMessage());
    assertEmpty(b);
  }

  @Test
  void anImportedGzipBombIsRefusedBeforeItFillsTheDisk() throws Exception {
    byte[] gz = TestImages.gzip(new TestImages.Tar().file("zeros", new byte[(int) (8 * MIB)], 0644, 0, 0).bytes());
    ImageStore b = store("b", new UnpackLimits(4 * MIB, 1000));
    LayerLimitException e = assertThrows(LayerLimitException.class,
        () -> b.importRootfs(new ByteArrayInputStream(gz), "bomb:1", List.of(), null));
    assertTrue(e.getMessage().startsWith("import: the tarball expands past 4194304 bytes"), e.getMessage());
    assertEmpty(b);
  }

  @Test
  void aLoadedGzipBombArchiveIsRefusedAndNothingStays() throws Exception {
    // a 10 KB gzip of a "docker save" archive whose one file expands to 8 MiB
    byte[] gz = TestImages.gzip(new TestImages.Tar().file("manifest.json", "[]")
        .file("blobs/sha256/zeros", new byte[(int) (8 * MIB)], 0644, 0, 0).bytes());
    assertTrue(gz.length < 10_000, "a 10 KB gzip: " + gz.length);
    ImageStore b = store("b", new UnpackLimits(4 * MIB, 1000));
    LayerLimitException e = assertThrows(LayerLimitException.class,
        () -> b.load(new ByteArrayInputStream(gz), Progress.NONE));
    assertTrue(e.getMessage().startsWith("load: the archive expands past 4194304 bytes"), e.getMessage());
    assertTrue(e.getMessage().contains("(jswarm daemon --image-max-layer-size)"), e.getMessage());
    assertEmpty(b);
  }

  @Test
  void aLoadedArchiveWithASparseEntryOrTooManyEntriesIsRefused() throws Exception {
    Path src = Files.createDirectories(tmp.resolve("sparse-load"));
    try (var f = new java.io.RandomAccessFile(src.resolve("big").toFile(), "rw")) {
      f.setLength(1L << 30); // 1 GiB, all hole
      f.seek(5 * MIB);
      f.write(1);
    }
    byte[] tar = gnuTar(src, "posix", "big");
    assertTrue(tar.length < 64 * 1024, "sparse tar of " + tar.length + " bytes");
    ImageStore b = store("b", new UnpackLimits(64 * MIB, 1000));
    LayerLimitException e = assertThrows(LayerLimitException.class,
        () -> b.load(new ByteArrayInputStream(tar), Progress.NONE));
    assertTrue(e.getMessage().contains("expands past 67108864 bytes") && e.getMessage().contains(
        "(a sparse file of 1073741824 bytes)"), e.getMessage());
    assertEmpty(b);

    TestImages.Tar t = new TestImages.Tar();
    for (int i = 0; i < 30; i++) {
      t.file("f" + i, "x");
    }
    ImageStore c = store("c", new UnpackLimits(64 * MIB, 20));
    byte[] many = t.bytes();
    LayerLimitException m = assertThrows(LayerLimitException.class,
        () -> c.load(new ByteArrayInputStream(many), Progress.NONE));
    assertTrue(m.getMessage().contains("load: the archive has more than 20 entries, this node's limit (jswarm daemon "
        + "--image-max-layer-entries)"), m.getMessage());
    assertEmpty(c);
  }
}
