package io.jswarm.cli.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DaemonAddressTest {
  @Test
  void parsesUnixAndTcp() {
    DaemonAddress u = DaemonAddress.parse("unix:///tmp/x.sock");
    assertTrue(u.isUnix());
    assertEquals(Path.of("/tmp/x.sock"), u.socket());
    DaemonAddress t = DaemonAddress.parse("tcp://127.0.0.1:2375");
    assertEquals("127.0.0.1", t.host());
    assertEquals(2375, t.port());
    assertEquals("::1", DaemonAddress.parse("tcp://[::1]:2375").host());
  }

  @Test
  void flagThenEnvironmentThenDefault() {
    Map<String, String> env = Map.of(DaemonAddress.ENV, "tcp://127.0.0.1:9");
    assertEquals("unix:///a.sock", DaemonAddress.resolve("unix:///a.sock", env::get).uri());
    assertEquals("tcp://127.0.0.1:9", DaemonAddress.resolve(null, env::get).uri());
    assertEquals(DaemonAddress.DEFAULT, DaemonAddress.resolve(null, k -> null).uri());
  }

  @Test
  void badAddressesSayWhatIsAllowed() {
    for (String bad : new String[] {"http://x:1", "tcp://host", "tcp://host:0", "unix://relative", "tcp://h:port"}) {
      UsageException e = assertThrows(UsageException.class, () -> DaemonAddress.parse(bad), bad);
      assertTrue(e.getMessage().contains("unix:///path/to/socket or tcp://host:port"), e.getMessage());
    }
  }
}
