package io.jswarm.worker.container;

/** {@link UsernsContainerTest} with crun (its cgroup manager disabled on this hybrid-cgroup machine). */
class CrunUsernsContainerTest extends UsernsContainerTest {
  @Override
  String runtime() {
    return "crun";
  }
}
