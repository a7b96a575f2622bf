package io.jswarm.consensus.store;

import java.security.SecureRandom;
import java.util.Random;

/** Makes object ids: 25 characters of [a-z0-9], like swarmkit's. Injected so tests can be reproducible. */
@FunctionalInterface
public interface IdGenerator {
  String newId();

  /** Ids from a cryptographically strong source, for production. */
  static IdGenerator secure() {
    return fromRandom(new SecureRandom());
  }

  /** Ids from the given source; a seeded {@link Random} gives the same ids every run. */
  static IdGenerator fromRandom(Random random) {
    return () -> {
      char[] id = new char[25];
      synchronized (random) {
        for (int i = 0; i < id.length; i++) {
          id[i] = Character.forDigit(random.nextInt(36), 36);
        }
      }
      return new String(id);
    };
  }
}
