package io.jswarm.manager.controlapi;

import io.jswarm.transport.http.Router;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Objects;
import java.util.function.Function;

/**
 * The Docker Engine API v1.41 routes of the control plane on the API socket: {@code /_ping}, {@code /version},
 * {@code /info}, {@code /swarm...}, {@code /nodes...}, {@code /services...}, {@code /tasks...}, {@code /networks...}, {@code /secrets...} and {@code /configs...}, with Docker's
 * JSON, {@code filters} syntax, status codes and messages. Manager-only routes answer dockerd's 503 when this
 * node is in no swarm or is a worker. Reads are linearizable store views (without quorum: the last applied
 * state, marked by {@link StaleReads#HEADER}); writes are one store update each,
 * compare-and-set on {@code ?version=} where Docker takes one.
 */
public final class ControlApi {
  private final ManagerGate gate;
  private final Clock clock;
  private final Function<String, String> tokenGenerator;
  private final String engineVersion;

  /**
   * @param lifecycle this node's membership and store
   * @param clock times written by the API (update status, {@code SystemTime})
   * @param tokenGenerator a new join token for the root CA certificate PEM given (used by token rotation)
   * @param engineVersion the version {@code /version} and {@code /info} report
   */
  public ControlApi(SwarmLifecycle lifecycle, Clock clock, Function<String, String> tokenGenerator,
      String engineVersion) {
    this.gate = new ManagerGate(Objects.requireNonNull(lifecycle, "lifecycle"));
    this.clock = Objects.requireNonNull(clock, "clock");
    this.tokenGenerator = Objects.requireNonNull(tokenGenerator, "tokenGenerator");
    this.engineVersion = Objects.requireNonNull(engineVersion, "engineVersion");
  }

  /** Adds every control API route to {@code r}. */
  public void routes(Router all) {
    Router r = all.wrappingGets(new StaleReads(gate)::wrap);
    new SystemRoutes(gate, clock, engineVersion).routes(r);
    new SwarmRoutes(gate, tokenGenerator, clock).routes(r);
    new NodeRoutes(gate).routes(r);
    new ServiceRoutes(gate, clock, new ServiceNames(new SecureRandom())).routes(r);
    new TaskRoutes(gate).routes(r);
    new NetworkRoutes(gate).routes(r);
    new PayloadRoutes<>(gate, PayloadRoutes.SECRETS).routes(r);
    new PayloadRoutes<>(gate, PayloadRoutes.CONFIGS).routes(r);
  }
}
