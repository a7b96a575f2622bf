package io.jswarm.cli.client;

import io.jswarm.api.types.Swarm;
import io.jswarm.api.types.SwarmRequests;
import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code jswarm swarm unlock} and {@code swarm unlock-key}: autolock, as {@code docker swarm}. */
final class SwarmLockCommands {
  private SwarmLockCommands() {}

  /** The unlock key ({@code GET /swarm/unlockkey}); a usage error when autolock is off. */
  static String fetchUnlockKey(ApiClient api) {
    String key = api.getTree("/swarm/unlockkey").path("UnlockKey").asText("");
    if (key.isEmpty()) {
      throw new UsageException("no unlock key is set: turn autolock on with 'jswarm swarm update --autolock=true'");
    }
    return key;
  }

  /** Docker's words around the key. */
  static void printUnlockCommand(String key, PrintWriter out) {
    out.printf("To unlock a swarm manager after it restarts, run the `jswarm swarm unlock`%n"
        + "command and provide the following key:%n%n    %s%n%n"
        + "Please remember to store this key in a password manager, since without it you%n"
        + "will not be able to restart the manager.%n", key);
  }

  @Command(name = "unlock", description = "Unlock a locked manager: reads the unlock key from the terminal or stdin.")
  static final class Unlock extends ClientCommand {
    @Override
    protected int run(ApiClient api) throws IOException {
      String state = api.getTree("/info").path("Swarm").path("LocalNodeState").asText("");
      if (state.equals("inactive")) {
        throw new UsageException("This node is not part of a swarm");
      }
      if (!state.equals("locked")) {
        throw new UsageException("swarm is not locked");
      }
      SwarmRequests.Unlock req = new SwarmRequests.Unlock();
      req.unlockKey = readKey();
      api.post("/swarm/unlock", req);
      return 0;
    }

    /** From the terminal without echo, else the first line of stdin. */
    private String readKey() throws IOException {
      Console console = System.console();
      if (console != null) {
        char[] typed = console.readPassword("Please enter unlock key: ");
        return typed == null ? "" : new String(typed).strip();
      }
      String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
      return line == null ? "" : line.strip();
    }
  }

  @Command(name = "unlock-key", description = "Show or rotate the manager unlock key.")
  static final class UnlockKey extends ClientCommand {
    @Option(names = {"-q", "--quiet"}, description = "Only display the key.")
    boolean quiet;

    @Option(names = "--rotate", description = "Rotate the unlock key.")
    boolean rotate;

    @Override
    protected int run(ApiClient api) {
      if (rotate) {
        Swarm sw = api.get("/swarm", Swarm.class);
        if (sw.spec == null || sw.spec.encryptionConfig == null
            || !Boolean.TRUE.equals(sw.spec.encryptionConfig.autoLockManagers)) {
          throw new UsageException("cannot rotate because autolock is not turned on");
        }
        api.post("/swarm/update?version=" + sw.versionIndex() + "&rotateManagerUnlockKey=true", sw.spec);
        if (!quiet) {
          out.printf("Successfully rotated manager unlock key.%n%n");
        }
      }
      String key = fetchUnlockKey(api);
      if (quiet) {
        out.println(key);
      } else {
        printUnlockCommand(key, out);
      }
      return 0;
    }
  }
}
