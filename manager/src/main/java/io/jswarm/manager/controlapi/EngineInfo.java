package io.jswarm.manager.controlapi;

import java.util.List;

/**
 * What this node's engine reports in {@code /info} beside the swarm: its containers (the tasks' containers on
 * this node), images, engine labels ({@code --label}), data root, runtime, and Docker's warnings about what the
 * kernel lacks (e.g. {@code WARNING: No blkio weight support}) and its security options ({@code name=userns} ...).
 */
public record EngineInfo(int containersRunning, int containersStopped, int images, List<String> labels,
    String rootDir, String defaultRuntime, List<String> warnings, List<String> securityOptions) {
  /** A node that has told nothing (tests, a daemon still starting). */
  public static final EngineInfo NONE = new EngineInfo(0, 0, 0, List.of(), "", "runc", List.of(), List.of());
}
