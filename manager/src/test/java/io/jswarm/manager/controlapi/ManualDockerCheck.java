package io.jswarm.manager.controlapi;

import io.jswarm.api.types.SwarmRequests;
import io.jswarm.consensus.store.IdGenerator;
import io.jswarm.consensus.store.LocalProposer;
import io.jswarm.consensus.store.MemoryStore;
import io.jswarm.transport.http.HttpServer;
import io.jswarm.transport.http.Router;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;

/**
 * Not a test: serves the control API of a one-node fake swarm on a unix socket so the real docker CLI can be
 * pointed at it ({@code DOCKER_HOST=unix:///tmp/x.sock docker info}). Runs until stdin closes.
 * Args: socket path, and "init" to start as a swarm manager.
 */
public final class ManualDockerCheck {
  private ManualDockerCheck() {}

  public static void main(String[] args) throws Exception {
    LocalProposer p = new LocalProposer();
    try (MemoryStore store = new MemoryStore(p, Clock.systemUTC(), IdGenerator.secure())) {
      p.bind(store);
      FakeLifecycle lifecycle = new FakeLifecycle(store);
      if (args.length > 1 && args[1].equals("init")) {
        lifecycle.init(new SwarmRequests.Init());
      }
      Router router = new Router();
      new ControlApi(lifecycle, Clock.systemUTC(), pem -> "JSWMTKN-1-rotated", "0.1.0").routes(router);
      try (HttpServer server = HttpServer.start(router, List.of(new HttpServer.Unix(Path.of(args[0]))))) {
        System.out.println("serving on " + args[0]);
        while (System.in.read() != -1) {
          // wait for stdin to close
        }
      }
    }
  }
}
