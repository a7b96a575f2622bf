package io.jswarm.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * A build step: drops from the shaded jar the classes of {@link #TRIMMED} libraries (Bouncy Castle) that nothing in
 * the jar names, so that the daemon's class loader holds a smaller central directory (docs/footprint.md:
 * a JVM keeps the whole central directory of each jar on its class path on its heap, 2.6 MB for the 23,600 entries of
 * the shaded jar). jswarm uses Bouncy Castle's PKIX and ASN.1 classes, not its thousands of others (the JCA provider's
 * algorithms, which the jar leaves out already, CMS, certificate requests of CMP/CRMF, time stamps, OER/ITS).
 *
 * <p>Conservative by construction: every class outside those libraries and every resource is kept, and a library
 * class is kept when a kept entry's bytes name it anywhere (a constant, a descriptor, a string, in {@code a/b/C} or
 * {@code a.b.C} form, {@code META-INF/services} included); a name that is no class (a package such as
 * {@code "org.bouncycastle.x."}, from which code could build class names) keeps every class under it. All versions of a kept class
 * ({@code META-INF/versions/N/...}) are kept. Nothing here runs in a real command.
 *
 * <p>Arguments: the jar to trim in place.
 */
final class JarTrim {
  /** The libraries trimmed, as class name prefixes. */
  static final List<String> TRIMMED = List.of("org/bouncycastle/");

  /** A name of a trimmed library in a class file or resource: slashes or dots, up to the first other character. */
  private static final Pattern NAME = Pattern.compile("org[/.]bouncycastle[/.][A-Za-z0-9_$/.]*");

  private static final String SELF = JarTrim.class.getName().replace('.', '/');

  private JarTrim() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      throw new IllegalArgumentException("usage: JarTrim JAR");
    }
    Path jar = Path.of(args[0]);
    Path trimmed = jar.resolveSibling(jar.getFileName() + ".trimmed");
    int[] counts = trim(jar, trimmed);
    Files.move(trimmed, jar, StandardCopyOption.REPLACE_EXISTING);
    System.out.printf("JarTrim: %s: kept %d of %d entries%n", jar, counts[0], counts[1]);
  }

  /** Writes {@code in} without its unnamed library classes to {@code out}; returns {kept, all} entry counts. */
  static int[] trim(Path in, Path out) throws IOException {
    try (ZipFile zip = new ZipFile(in.toFile())) {
      List<ZipEntry> entries = new ArrayList<>();
      zip.stream().forEach(entries::add);
      // each class (all its versions) and the trimmed-library names its bytes mention
      Map<String, Set<String>> mentions = new HashMap<>();
      Set<String> roots = new HashSet<>();
      Set<String> packageMentions = new HashSet<>();
      for (ZipEntry e : entries) {
        if (e.isDirectory()) {
          continue;
        }
        String cls = className(e.getName());
        Set<String> named = new HashSet<>();
        try (InputStream body = zip.getInputStream(e)) {
          Matcher m = NAME.matcher(new String(body.readAllBytes(), StandardCharsets.ISO_8859_1));
          while (m.find()) {
            named.add(m.group().replace('.', '/'));
          }
        }
        String node = cls != null ? cls : "resource:" + e.getName();
        if (node.equals(SELF)) {
          named.clear(); // names the libraries' prefixes, and runs only in the build
        }
        mentions.computeIfAbsent(node, k -> new HashSet<>()).addAll(named);
        if (cls == null || !trimmed(cls)) {
          roots.add(node);
        }
      }
      Set<String> kept = new HashSet<>(roots);
      Deque<String> work = new ArrayDeque<>(roots);
      while (!work.isEmpty()) {
        for (String name : mentions.getOrDefault(work.pop(), Set.of())) {
          if (mentions.containsKey(name)) {
            if (kept.add(name)) {
              work.push(name);
            }
          } else { // no class: a package (or a property name, which matches no class)
            packageMentions.add(name.endsWith("/") ? name : name + "/");
          }
        }
        if (work.isEmpty()) { // a package named as such: every class under it, and what those name
          for (String c : mentions.keySet()) {
            if (!kept.contains(c) && under(c, packageMentions)) {
              kept.add(c);
              work.push(c);
            }
          }
        }
      }
      int written = 0;
      try (ZipOutputStream zout = new ZipOutputStream(Files.newOutputStream(out))) {
        for (ZipEntry e : entries) {
          String cls = e.isDirectory() ? null : className(e.getName());
          if (cls != null && !kept.contains(cls)) {
            continue;
          }
          ZipEntry copy = new ZipEntry(e.getName());
          copy.setTime(e.getTime());
          zout.putNextEntry(copy);
          try (InputStream body = zip.getInputStream(e)) {
            body.transferTo(zout);
          }
          zout.closeEntry();
          written++;
        }
      }
      return new int[] {written, entries.size()};
    }
  }

  /** The class an entry holds ({@code META-INF/versions/N/} left out), or null for a resource. */
  static String className(String entry) {
    if (!entry.endsWith(".class")) {
      return null;
    }
    String name = entry.substring(0, entry.length() - ".class".length());
    if (name.startsWith("META-INF/versions/")) {
      int slash = name.indexOf('/', "META-INF/versions/".length());
      return slash < 0 ? null : name.substring(slash + 1);
    }
    return name;
  }

  private static boolean trimmed(String cls) {
    for (String prefix : TRIMMED) {
      if (cls.startsWith(prefix)) {
        return true;
      }
    }
    return false;
  }

  private static boolean under(String cls, Set<String> packages) {
    for (String p : packages) {
      if (cls.startsWith(p)) {
        return true;
      }
    }
    return false;
  }
}
