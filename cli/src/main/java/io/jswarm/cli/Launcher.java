package io.jswarm.cli;

/**
 * The jar's entry point. The JVM's launcher reflects over the main class's methods, loading every type in their
 * signatures; {@link Main}'s name picocli's types, so starting there loads picocli even for a verb that never uses it
 * ({@link io.jswarm.cli.client.QuickVerbs}). This class names nothing but {@link Main#main}.
 */
public final class Launcher {
  private Launcher() {}

  public static void main(String[] args) {
    Main.main(args);
  }
}
