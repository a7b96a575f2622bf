package io.jswarm.cli;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import java.util.zip.ZipFile;

/**
 * The build's client jar ({@code cli/target/jswarm-client.jar}, which {@code bin/jswarm} runs for every client verb):
 * the packages the training run of the everyday verbs loaded classes from ({@link CdsTraining} under
 * {@code -XX:DumpLoadedClassList}), copied from the shaded jar, with a manifest whose {@code Class-Path} names the
 * shaded jar beside it. A client verb's JVM opens a 0.5 MB jar rather than the 44 MB one (whose central directory of
 * 23,000 entries is read on opening); a class or resource the training did not load (another verb's, a verb's
 * {@code --help}) is found in the shaded jar through the {@code Class-Path}, so every verb runs the same code either
 * way, only the untrained ones slower. Also writes the class list of the client's static AppCDS archive
 * ({@code -Xshare:dump}): the JDK's default list ({@code lib/classlist}, what {@code java -version} has archived)
 * followed by the training's. Nothing here runs in a real command.
 *
 * <p>Then, in a directory of its own written after the jar ({@link ClientResources}), those resources again and
 * {@link FieldAnnotations}' table (the annotated fields of each class of the client jar that has some), which client
 * verbs read instead of opening the jar ({@code bin/jswarm} names the directory when it is newer than the client jar).
 *
 * <p>Arguments: the training's class list, the shaded jar, the client jar to write, the dump's class list to write,
 * the resources' directory to write.
 */
final class ClientJar {
  /** Resources a trained verb reads (the version, for {@code --version} and {@code version}). */
  private static final List<String> RESOURCES = List.of(Main.VERSION_RESOURCE);

  private ClientJar() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 5) {
      throw new IllegalArgumentException(
          "usage: ClientJar TRAINED.classlist SHADED.jar CLIENT.jar DUMP.classlist RESOURCES.dir");
    }
    Path trained = Path.of(args[0]);
    Path shaded = Path.of(args[1]);
    Path client = Path.of(args[2]);
    List<String> lines = new ArrayList<>(Files.readAllLines(trained));
    lines.add(Launcher.class.getName().replace('.', '/')); // the jar's entry point (the training started elsewhere)
    // every class of a package the training loaded a class of: a trained verb given other data or flags may reach
    // a class the training did not (Jackson's number paths, an error's exception), and each would open the shaded jar
    TreeSet<String> packages = new TreeSet<>();
    for (String line : lines) {
      if (!line.isBlank() && !line.startsWith("#") && !line.startsWith("@")) {
        String name = line.split(" ", 2)[0];
        packages.add(name.substring(0, name.lastIndexOf('/') + 1));
      }
    }
    Manifest manifest = new Manifest();
    Attributes main = manifest.getMainAttributes();
    main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
    main.put(Attributes.Name.MAIN_CLASS, Launcher.class.getName());
    // relative to the client jar's own directory
    main.put(Attributes.Name.CLASS_PATH, shaded.getFileName().toString());
    int copied = 0;
    Map<String, byte[]> beside = new TreeMap<>(); // the resources directory's files
    // the shaded jar is multi-release: read each entry as this JDK sees it, and write it unversioned
    try (JarFile in = new JarFile(shaded.toFile(), true, ZipFile.OPEN_READ, Runtime.version());
        JarOutputStream out = new JarOutputStream(Files.newOutputStream(client), manifest)) {
      TreeSet<String> entries = new TreeSet<>(RESOURCES);
      in.versionedStream().map(JarEntry::getName)
          .filter(n -> n.endsWith(".class") && packages.contains(n.substring(0, n.lastIndexOf('/') + 1)))
          .forEach(entries::add);
      for (String name : entries) {
        JarEntry e = in.getJarEntry(name);
        if (e == null) {
          throw new IllegalStateException(name + " is not in " + shaded);
        }
        out.putNextEntry(new JarEntry(name));
        byte[] body;
        try (InputStream stream = in.getInputStream(e)) {
          body = stream.readAllBytes();
        }
        out.write(body);
        if (RESOURCES.contains(name)) {
          beside.put(name, body);
        } else if (!name.endsWith("module-info.class")) {
          Map<String, List<FieldAnnotations.Annotation>> fields = FieldAnnotations.fromClassFile(body);
          if (!fields.isEmpty()) {
            ByteArrayOutputStream table = new ByteArrayOutputStream();
            try (DataOutputStream data = new DataOutputStream(table)) {
              FieldAnnotations.writeTable(fields, data);
            }
            String className = name.substring(0, name.length() - ".class".length()).replace('/', '.');
            beside.put(className + ".fields", table.toByteArray());
          }
        }
        out.closeEntry();
        copied++;
      }
    }
    if (copied < 100) {
      throw new IllegalStateException("only " + copied + " classes of the training's packages are in " + shaded
          + ": was the class list " + trained + " written by a training run of that jar?");
    }
    Path jdkList = Path.of(System.getProperty("java.home"), "lib", "classlist");
    List<String> dump = new ArrayList<>(Files.exists(jdkList) ? Files.readAllLines(jdkList) : List.of());
    dump.addAll(lines);
    Files.write(Path.of(args[3]), dump);
    writeBeside(Path.of(args[4]), beside);
  }

  /** {@link ClientResources}' directory, made anew (so newer than the jar). */
  private static void writeBeside(Path dir, Map<String, byte[]> files) throws IOException {
    if (Files.exists(dir)) {
      try (Stream<Path> old = Files.walk(dir)) {
        for (Path p : old.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
    Files.createDirectories(dir);
    for (Map.Entry<String, byte[]> e : files.entrySet()) {
      Files.write(dir.resolve(e.getKey()), e.getValue());
    }
  }
}
