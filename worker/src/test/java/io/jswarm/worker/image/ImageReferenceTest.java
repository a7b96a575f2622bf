package io.jswarm.worker.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.api.errors.InvalidArgumentException;
import org.junit.jupiter.api.Test;

class ImageReferenceTest {
  private static final String D = "sha256:" + "ab".repeat(32);

  @Test
  void dockerHubNamesAreNormalized() {
    assertEquals("docker.io/library/busybox:latest", ImageReference.parse("busybox").toString());
    assertEquals("docker.io/library/busybox:1.36", ImageReference.parse("busybox:1.36").toString());
    assertEquals("docker.io/user/app:latest", ImageReference.parse("user/app").toString());
    assertEquals("docker.io/library/busybox:latest", ImageReference.parse("index.docker.io/library/busybox").toString());
    assertEquals("busybox:latest", ImageReference.parse("docker.io/library/busybox").familiar());
    assertEquals("user/app:latest", ImageReference.parse("user/app").familiar());
  }

  @Test
  void registriesTagsAndDigests() {
    ImageReference r = ImageReference.parse("localhost:5000/web/app:v2");
    assertEquals("localhost:5000", r.domain());
    assertEquals("web/app", r.path());
    assertEquals("v2", r.tag());
    assertEquals("localhost/web:latest", ImageReference.parse("localhost/web").toString());
    ImageReference d = ImageReference.parse("registry.example/web@" + D);
    assertEquals(null, d.tag());
    assertEquals(D, d.manifestRef());
    assertEquals("registry.example/web@" + D, d.familiar());
    assertEquals("docker.io/library/busybox", ImageReference.parseName("busybox").name());
    assertEquals(null, ImageReference.parseName("busybox").tag());
  }

  @Test
  void malformedReferencesNameTheProblem() {
    InvalidArgumentException e = assertThrows(InvalidArgumentException.class, () -> ImageReference.parse("web/UPPER"));
    assertTrue(e.getMessage().contains("lowercase"), e.getMessage());
    assertThrows(InvalidArgumentException.class, () -> ImageReference.parse(""));
    assertThrows(InvalidArgumentException.class, () -> ImageReference.parse("web:bad tag"));
    assertThrows(InvalidArgumentException.class, () -> ImageReference.parse("web@sha256:123"));
    assertThrows(InvalidArgumentException.class, () -> ImageReference.parse("a//b"));
  }

  @Test
  void registryAuthHeaderDecodes() {
    RegistryAuth a = new RegistryAuth("alice", "s3cret", null, null);
    assertEquals(a, RegistryAuth.fromHeader(a.toHeader()));
    assertEquals(RegistryAuth.NONE, RegistryAuth.fromHeader("e30="));
    assertEquals(RegistryAuth.NONE, RegistryAuth.fromHeader(null));
    assertThrows(InvalidArgumentException.class, () -> RegistryAuth.fromHeader("!!!"));
  }
}
