package io.jswarm.api.validation;

import io.jswarm.api.errors.InvalidArgumentException;
import java.util.ArrayList;
import java.util.List;

/** Collects every broken rule of one spec, each as "JSON.Path: what is wrong; what is allowed". */
final class Problems {
  private final List<String> found = new ArrayList<>();

  void add(String path, String message) {
    found.add(path + ": " + message);
  }

  /** Throws one exception listing all problems, if there are any. */
  void throwIfAny(String what) {
    if (!found.isEmpty()) {
      throw new InvalidArgumentException("invalid " + what + ": " + String.join("; ", found));
    }
  }
}
