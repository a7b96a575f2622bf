package io.jswarm.cli;

import picocli.CommandLine.Command;

/** {@code jswarm version}: client version and the Java runtime it runs on. */
@Command(name = "version", description = "Show the jswarm version.")
final class VersionCommand implements Runnable {
  @Override
  public void run() {
    System.out.println("jswarm " + Main.version());
    System.out.println("Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vendor")
        + "), " + System.getProperty("os.name") + "/" + System.getProperty("os.arch"));
  }
}
