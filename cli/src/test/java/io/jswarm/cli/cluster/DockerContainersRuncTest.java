package io.jswarm.cli.cluster;

import org.junit.jupiter.api.BeforeAll;

/** {@link DockerContainersTest} with runc. */
class DockerContainersRuncTest extends DockerContainersTest {
  @BeforeAll
  static void start() throws Exception {
    startNode("runc");
  }
}
