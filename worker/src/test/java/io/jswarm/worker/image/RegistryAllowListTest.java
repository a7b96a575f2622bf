package io.jswarm.worker.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.jswarm.api.errors.ForbiddenException;
import io.jswarm.api.errors.InvalidArgumentException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --registry-allow}: an image name with an IP literal cannot make the daemon dial an address not allowed. */
class RegistryAllowListTest {
  @TempDir
  Path tmp;

  @Test
  void namesWildcardsAddressesAndRanges() {
    RegistryAllowList a = RegistryAllowList.parse(List.of("registry.example.com,*.corp.example", "10.0.0.0/8",
        "192.168.1.7", "fd00::/8"));
    assertTrue(a.allows("registry.example.com"));
    assertTrue(a.allows("REGISTRY.example.com"));
    assertTrue(a.allows("eu.corp.example"));
    assertFalse(a.allows("corp.example.evil"));
    assertFalse(a.allows("example.com"));
    assertTrue(a.allows("10.200.3.4"));
    assertTrue(a.allows("192.168.1.7"));
    assertFalse(a.allows("192.168.1.8"));
    assertFalse(a.allows("169.254.169.254"), "the cloud metadata address is not in any range");
    assertFalse(a.allows("127.0.0.1"));
    assertTrue(a.allows("[fd00::1]"));
    assertFalse(a.allows("[::1]"));
    assertFalse(a.allows("::ffff:127.0.0.1"), "an IPv4-mapped address is the IPv4 address");
    assertTrue(RegistryAllowList.parse(List.of()).allows("169.254.169.254"), "no flag: everything, as before");
  }

  @Test
  void aBadEntryNamesItself() {
    InvalidArgumentException e = assertThrows(InvalidArgumentException.class,
        () -> RegistryAllowList.parse(List.of("10.0.0.0/33")));
    assertTrue(e.getMessage().contains("10.0.0.0/33"), e.getMessage());
    e = assertThrows(InvalidArgumentException.class, () -> RegistryAllowList.parse(List.of("http://x/")));
    assertTrue(e.getMessage().contains("\"http://x/\" is not a host name"), e.getMessage());
  }

  @Test
  void aPullFromAnAddressNotAllowedIsRefusedWithoutDialingIt() throws Exception {
    AtomicInteger requests = new AtomicInteger();
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", ex -> {
      requests.incrementAndGet();
      ex.sendResponseHeaders(404, -1);
      ex.close();
    });
    server.start();
    try {
      String ref = "127.0.0.1:" + server.getAddress().getPort() + "/probe/x:1";
      ImageStore allowedOnly = new ImageStore(tmp.resolve("a"), ImageStore.Options.defaults()
          .withRegistryAllow(RegistryAllowList.parse(List.of("registry.example.com"))));
      ForbiddenException e = assertThrows(ForbiddenException.class,
          () -> allowedOnly.pull(ref, RegistryAuth.NONE, io.jswarm.worker.image.Progress.NONE));
      assertTrue(e.getMessage().contains("127.0.0.1 is not an allowed registry address (the daemon's "
          + "--registry-allow is registry.example.com)"), e.getMessage());
      assertEquals(0, requests.get(), "nothing was sent to the address");

      ImageStore open = new ImageStore(tmp.resolve("b"), ImageStore.Options.defaults()
          .withRegistryAllow(RegistryAllowList.parse(List.of("127.0.0.0/8"))));
      assertThrows(io.jswarm.api.errors.NotFoundException.class,
          () -> open.pull(ref, RegistryAuth.NONE, io.jswarm.worker.image.Progress.NONE));
      assertTrue(requests.get() > 0, "an allowed range is dialed");
    } finally {
      server.stop(0);
    }
  }
}
