package io.jswarm.worker.image;

import io.jswarm.transport.net.FreePorts;
import io.jswarm.linux.FileTrees;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.api.errors.NotFoundException;
import io.jswarm.transport.http.HttpServer;
import io.jswarm.transport.http.Router;
import io.jswarm.transport.pki.NodeCredentials;
import io.jswarm.transport.pki.PeerIdentity;
import io.jswarm.transport.pki.RootCA;
import io.jswarm.transport.pki.TlsContexts;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Cluster-local distribution: a worker pulls from a manager's store served over mutual TLS. */
class ClusterRegistryTest {
  private Path tmp;
  private HttpServer server;
  private ClusterRegistry registry;

  @BeforeEach
  void setUp() throws Exception {
    tmp = Files.createTempDirectory("h-image-cluster");
  }

  @AfterEach
  void tearDown() throws Exception {
    try {
      if (server != null) {
        server.close();
      }
      if (registry != null) {
        registry.close();
      }
    } finally {
      FileTrees.delete(tmp);
    }
  }

  static NodeCredentials node(RootCA ca, String id, String role) {
    NodeCredentials pending = NodeCredentials.generateKey();
    return pending.withCertificate(ca.issue(pending.csrPem(), id, role, "cluster-h-image", Duration.ofHours(1),
        Clock.systemUTC()), ca.certPem());
  }

  @Test
  void aWorkerPullsAnImageNoRegistryHasFromAManagerOverMutualTls() throws Exception {
    RootCA ca = RootCA.create("cluster-h-image", Clock.systemUTC());
    NodeCredentials manager = node(ca, "manager1", PeerIdentity.MANAGER_ROLE);
    NodeCredentials worker = node(ca, "worker1", PeerIdentity.WORKER_ROLE);

    ImageStore managerStore = new ImageStore(tmp.resolve("manager"), ImageStore.Options.defaults());
    // named after a registry nobody listens on: the worker's registry pull fails and it falls back to managers
    int deadPort = FreePorts.pick();
    String ref = "127.0.0.1:" + deadPort + "/h-image/clusteronly:v1";
    String id = managerStore.importRootfs(new ByteArrayInputStream(TestImages.busyboxRootfs()), ref,
        List.of("CMD [\"httpd\"]"), null);
    Router router = new Router();
    registry = new ClusterRegistry(managerStore);
    registry.routes(router);
    server = HttpServer.start(router, List.of(new HttpServer.Tls("127.0.0.1", 0, TlsContexts.nettyServer(manager))));
    String managerAddr = "127.0.0.1:" + server.port(0);
    String unreachable = "127.0.0.1:" + FreePorts.pick();

    ImageStore workerStore = new ImageStore(tmp.resolve("worker"), ImageStore.Options.defaults()
        .withCluster(() -> List.of(unreachable, managerAddr), () -> TlsContexts.client(worker)));
    LocalImage img = workerStore.prepare(ref);
    assertEquals(id, img.id());
    assertEquals(List.of("httpd"), img.config().cmd());
    assertTrue(Files.isExecutable(img.layers().get(0).resolve("bin/busybox")));

    // nothing has it: the error names every source tried
    NotFoundException missing = assertThrows(NotFoundException.class,
        () -> workerStore.prepare("127.0.0.1:" + deadPort + "/h-image/nowhere:v1"));
    String msg = missing.getMessage();
    assertTrue(msg.contains("registry 127.0.0.1:" + deadPort), msg);
    assertTrue(msg.contains("manager " + unreachable), msg);
    assertTrue(msg.contains("manager " + managerAddr) && msg.contains("not found"), msg);
    assertTrue(missing.getMessage() != null);

    // without a cluster certificate the manager serves nothing
    HttpClient anonymous = HttpClient.newBuilder().sslContext(TlsContexts.anonymousClient(ca.certificate())).build();
    HttpResponse<String> r = anonymous.send(HttpRequest.newBuilder(URI.create("https://" + managerAddr
        + "/v2/127.0.0.1:" + deadPort + "/h-image/clusteronly/manifests/v1")).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(401, r.statusCode());
    // and nothing can be written
    HttpClient mtls = HttpClient.newBuilder().sslContext(TlsContexts.client(worker)).build();
    HttpResponse<String> put = mtls.send(HttpRequest.newBuilder(URI.create("https://" + managerAddr
        + "/v2/x/blobs/uploads/")).POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    assertTrue(put.statusCode() >= 400, put.body());

    // a node of another cluster is refused at the TLS handshake
    RootCA other = RootCA.create("other", Clock.systemUTC());
    NodeCredentials stranger = node(other, "x", PeerIdentity.WORKER_ROLE);
    ImageStore strangerStore = new ImageStore(tmp.resolve("stranger"), ImageStore.Options.defaults()
        .withCluster(() -> List.of(managerAddr), () -> TlsContexts.client(stranger)));
    assertThrows(RuntimeException.class, () -> strangerStore.prepare(ref));
    assertEquals(Set.of(), Set.copyOf(strangerStore.list()));
  }
}
