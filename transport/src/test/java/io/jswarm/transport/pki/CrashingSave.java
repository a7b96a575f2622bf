package io.jswarm.transport.pki;

import java.nio.file.Path;

/**
 * A process that saves renewed credentials and dies at one step of the save, as kill -9 would kill it there:
 * {@code CrashingSave <cert dir> <dir of the renewed credentials> <step>} halts the JVM (no shutdown hooks, no
 * finally blocks) just before {@code step}.
 */
public final class CrashingSave {
  private CrashingSave() {}

  public static void main(String[] args) throws Exception {
    NodeCredentials renewed = NodeCredentials.load(Path.of(args[1]));
    String haltAt = args[2];
    renewed.save(Path.of(args[0]), step -> {
      if (step.equals(haltAt)) {
        Runtime.getRuntime().halt(137);
      }
    });
    System.exit(0); // the step was never reached
  }
}
