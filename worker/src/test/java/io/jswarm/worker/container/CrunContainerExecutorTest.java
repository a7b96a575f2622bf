package io.jswarm.worker.container;

/**
 * The same behaviour with crun, whose cgroup manager is disabled on this hybrid-cgroup machine: jswarm makes
 * the v1 cgroups, writes the limits and the monitor puts crun in them before exec.
 */
class CrunContainerExecutorTest extends ContainerExecutorTest {
  @Override
  String runtime() {
    return "crun";
  }
}
