package io.jswarm.worker.image;

/**
 * Where pull, push and load report what they do, in the terms of Docker's JSON progress stream: an optional id
 * (a layer's short digest or a tag) and a status ({@code Pulling fs layer}, {@code Pull complete}, ...).
 */
@FunctionalInterface
public interface Progress {
  Progress NONE = (id, status) -> {};

  void status(String id, String status);
}
