package io.jswarm.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The build's trim of the shaded jar ({@link JarTrim}): a Bouncy Castle class goes only when no kept entry names it,
 * in any form; everything else stays, in order.
 */
class JarTrimTest {
  @TempDir
  Path dir;

  @Test
  void dropsOnlyTheLibraryClassesNothingKeptNames() throws IOException {
    Map<String, String> entries = new LinkedHashMap<>();
    entries.put("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\n");
    entries.put("io/jswarm/Main.class", "\u0001\u0000\u001aLorg/bouncycastle/a/Used;\u0001");
    entries.put("org/bouncycastle/a/Used.class", "\u0007org/bouncycastle/a/Used$Inner\u0001");
    entries.put("org/bouncycastle/a/Used$Inner.class", "nothing");
    entries.put("META-INF/versions/9/org/bouncycastle/a/Used.class", "the Java 9 copy");
    entries.put("org/bouncycastle/a/Unused.class", "\u0001org/bouncycastle/b/OnlyFromUnused\u0001");
    entries.put("META-INF/versions/9/org/bouncycastle/a/Unused.class", "its Java 9 copy");
    entries.put("org/bouncycastle/b/OnlyFromUnused.class", "x");
    entries.put("org/bouncycastle/c/ByReflection.class", "x");
    entries.put("io/jswarm/Reflective.class", "\u0001org.bouncycastle.c.ByReflection\u0001");
    entries.put("org/bouncycastle/d/ByService.class", "x");
    entries.put("META-INF/services/some.Api", "org.bouncycastle.d.ByService\n");
    entries.put("org/bouncycastle/e/one/Built.class", "x");
    entries.put("org/bouncycastle/e/two/Built.class", "x");
    entries.put("io/jswarm/Builder.class", "\u0001org.bouncycastle.e.\u0001");
    entries.put("org/bouncycastle/f/Property.class", "\u0001org.bouncycastle.f.some_property\u0001");
    entries.put("org/bouncycastle/", "");
    entries.put("io/jswarm/cli/JarTrim.class", "\u0001org/bouncycastle/\u0001"); // the tool itself names no class
    Path in = dir.resolve("in.jar");
    try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(in))) {
      for (Map.Entry<String, String> e : entries.entrySet()) {
        out.putNextEntry(new ZipEntry(e.getKey()));
        out.write(e.getValue().getBytes(StandardCharsets.ISO_8859_1));
        out.closeEntry();
      }
    }
    Path out = dir.resolve("out.jar");
    int[] counts = JarTrim.trim(in, out);

    List<String> expected = new ArrayList<>(entries.keySet());
    expected.removeAll(List.of("org/bouncycastle/a/Unused.class", "META-INF/versions/9/org/bouncycastle/a/Unused.class",
        "org/bouncycastle/b/OnlyFromUnused.class", "org/bouncycastle/f/Property.class"));
    List<String> kept = new ArrayList<>();
    try (ZipFile zip = new ZipFile(out.toFile())) {
      zip.stream().forEach(e -> kept.add(e.getName()));
      assertArrayEquals(entries.get("io/jswarm/Main.class").getBytes(StandardCharsets.ISO_8859_1),
          zip.getInputStream(zip.getEntry("io/jswarm/Main.class")).readAllBytes());
    }
    assertEquals(expected, kept);
    assertArrayEquals(new int[] {expected.size(), entries.size()}, counts);
  }
}
