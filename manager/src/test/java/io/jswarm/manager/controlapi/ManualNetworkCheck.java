package io.jswarm.manager.controlapi;

import io.jswarm.api.types.SwarmRequests;
import io.jswarm.consensus.store.IdGenerator;
import io.jswarm.consensus.store.LocalProposer;
import io.jswarm.consensus.store.MemoryStore;
import io.jswarm.manager.allocator.NetworkAllocatorLoop;
import io.jswarm.manager.orchestrator.Orchestrators;
import io.jswarm.manager.schedulerloop.SchedulerLoop;
import io.jswarm.transport.http.HttpServer;
import io.jswarm.transport.http.Router;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;

/**
 * Not a test: a one-node fake swarm with the leader loops running (orchestrators, network allocator, scheduler)
 * behind the control API on a unix socket, for checking the docker CLI's network and service commands by hand:
 * {@code DOCKER_HOST=unix:///tmp/x.sock docker network create -d overlay app}. Runs until stdin closes.
 * Args: socket path.
 */
public final class ManualNetworkCheck {
  private ManualNetworkCheck() {}

  public static void main(String[] args) throws Exception {
    LocalProposer p = new LocalProposer();
    try (MemoryStore store = new MemoryStore(p, Clock.systemUTC(), IdGenerator.secure())) {
      p.bind(store);
      FakeLifecycle lifecycle = new FakeLifecycle(store);
      lifecycle.init(new SwarmRequests.Init());
      NetworkRoutes.createIngress(store);
      Orchestrators orchestrators = new Orchestrators(store, Clock.systemUTC());
      NetworkAllocatorLoop allocator = new NetworkAllocatorLoop(store, Clock.systemUTC());
      SchedulerLoop scheduler = new SchedulerLoop(store, Clock.systemUTC());
      orchestrators.start();
      allocator.start();
      scheduler.start();
      Router router = new Router();
      new ControlApi(lifecycle, Clock.systemUTC(), pem -> "JSWMTKN-1-rotated", "0.1.0").routes(router);
      try (HttpServer server = HttpServer.start(router, List.of(new HttpServer.Unix(Path.of(args[0]))))) {
        System.out.println("serving on " + args[0]);
        while (System.in.read() != -1) {
          // wait for stdin to close
        }
      } finally {
        scheduler.stop();
        allocator.stop();
        orchestrators.stop();
      }
    }
  }
}
