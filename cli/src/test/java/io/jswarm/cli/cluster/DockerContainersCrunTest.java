package io.jswarm.cli.cluster;

import org.junit.jupiter.api.BeforeAll;

/** {@link DockerContainersTest} with crun. */
class DockerContainersCrunTest extends DockerContainersTest {
  @BeforeAll
  static void start() throws Exception {
    startNode("crun");
  }
}
