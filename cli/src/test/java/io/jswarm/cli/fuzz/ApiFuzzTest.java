package io.jswarm.cli.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Property-based fuzzing of every API route of a live daemon (simulated executor): generated path parameters,
 * query strings and bodies must never get a 5xx, never wait more than 2 s for an answer, and never stop the
 * daemon answering {@code /_ping}. {@code -Djswarm.fuzz.cases=N} runs more cases (default 3000),
 * {@code -Djswarm.fuzz.seed=S} replays a failing seed; {@code jswarm bench fuzz} runs the same for longer.
 */
class ApiFuzzTest {
  private static final int CASES = Integer.getInteger("jswarm.fuzz.cases", 3000);

  @Test
  void noGeneratedRequestGetsA5xxHangsOrStopsTheDaemon() throws Exception {
    long seed = Long.getLong("jswarm.fuzz.seed", new SecureRandom().nextLong());
    try (FuzzTarget d = FuzzTarget.start()) {
      List<ApiFuzz.Route> routes = d.routes();
      ApiFuzz.Report r = d.fuzzer(seed).run(CASES, null);
      System.out.printf("API fuzz: %d routes, %d cases, seed %d, answers %s, p99 %.1f ms%n", routes.size(), r.cases,
          seed, r.statuses, r.latencyMs(0.99));
      assertTrue(r.failures.isEmpty(), r.failures.size() + " failures (replay with -Djswarm.fuzz.seed=" + seed
          + "):\n" + r.failures.stream().limit(30).map(Object::toString).collect(Collectors.joining("\n")));
      assertEquals(CASES, r.cases);
      Set<String> missed = new HashSet<>();
      routes.forEach(rt -> missed.add(rt.key()));
      missed.removeAll(r.perRoute.keySet());
      assertTrue(missed.isEmpty(), "routes never fuzzed: " + missed);
    }
  }

  /**
   * The fuzzed daemon runs in this JVM and pulls whatever image names the fuzzer makes up: names must resolve
   * from the cli module's loopback-only hosts file (surefire's argLine), never through DNS, so that no request
   * leaves the machine.
   */
  @Test
  void namesResolveFromTheLoopbackHostsFileOnly() throws Exception {
    org.junit.jupiter.api.Assertions.assertThrows(java.net.UnknownHostException.class,
        () -> java.net.InetAddress.getByName("registry-1.docker.io"));
    assertTrue(java.net.InetAddress.getByName("localhost").isLoopbackAddress());
  }

  @Test
  void theFuzzedRoutesAreTheDaemonsWholeApi() throws Exception {
    try (FuzzTarget d = FuzzTarget.start()) {
      Set<String> keys = d.routes().stream().map(ApiFuzz.Route::key).collect(Collectors.toSet());
      for (String k : List.of("GET /_ping", "POST /services/create", "POST /services/{id}/update",
          "GET /services/{id}/logs", "POST /networks/create", "POST /volumes/create", "GET /images/json",
          "POST /images/create", "DELETE /nodes/{id}", "POST /swarm/update", "GET /tasks/{id}")) {
        assertTrue(keys.contains(k), k + " is not among the fuzzed routes " + keys);
      }
    }
  }
}
