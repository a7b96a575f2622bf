package io.jswarm.cli;

import java.io.File;
import java.io.FileInputStream;
import java.io.FileNotFoundException;
import java.io.InputStream;

/**
 * What a client verb would read from the client jar, as files in a directory the build writes beside it
 * ({@code cli/target/jswarm-client.resources}, by {@link ClientJar}) and {@code bin/jswarm} names with
 * {@code -Djswarm.client.resources} when it is newer than the client jar: the version resource, and each annotated
 * class's fields as {@link FieldAnnotations} reads them from its class file ({@code CLASS.fields}). A client verb whose
 * classes all come from the class archive then opens no jar: the class loader looks a resource up in the JDK's module
 * image, then opens the jar and reads its central directory, interpreted (~10 ms of {@code version} or {@code info};
 * docs/footprint.md).
 */
final class ClientResources {
  /** The system property naming the directory. */
  static final String PROPERTY = "jswarm.client.resources";

  private ClientResources() {}

  /** The named file of the directory, or null when no directory is named or it has no such file. */
  static InputStream open(String name) {
    String dir = System.getProperty(PROPERTY);
    if (dir == null) {
      return null;
    }
    File f = new File(dir, name);
    try {
      return f.isFile() ? new FileInputStream(f) : null;
    } catch (FileNotFoundException e) {
      return null; // gone since: read it as without the directory
    }
  }
}
