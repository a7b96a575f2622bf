package io.jswarm.manager.controlapi;

import java.util.List;
import java.util.Random;
import java.util.function.Predicate;

/**
 * Names for services created without one, in dockerd's style ({@code adjective_surname}, with a number appended
 * when the plain names keep colliding). Surnames are of scientists and engineers, as in Docker's generator.
 */
final class ServiceNames {
  private static final List<String> LEFT = List.of("admiring", "brave", "calm", "clever", "eager", "focused",
      "gallant", "happy", "jolly", "keen", "lucid", "modest", "nifty", "quirky", "serene", "zealous");
  private static final List<String> RIGHT = List.of("babbage", "curie", "dijkstra", "euler", "feynman", "hopper",
      "knuth", "lamport", "lovelace", "meitner", "noether", "ritchie", "shannon", "thompson", "turing", "wozniak");

  private final Random random;

  ServiceNames(Random random) {
    this.random = random;
  }

  /** A name {@code free} accepts. */
  String pick(Predicate<String> free) {
    for (int attempt = 0; ; attempt++) {
      String name;
      synchronized (random) {
        name = LEFT.get(random.nextInt(LEFT.size())) + "_" + RIGHT.get(random.nextInt(RIGHT.size()));
        if (attempt >= 8) {
          name += random.nextInt(100);
        }
      }
      if (free.test(name)) {
        return name;
      }
    }
  }
}
