package io.jswarm.overlay.allocator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.api.types.EndpointSpec;
import io.jswarm.api.types.Network;
import io.jswarm.api.types.NetworkAttachment;
import io.jswarm.api.types.NetworkAttachmentConfig;
import io.jswarm.api.types.PortConfig;
import io.jswarm.api.types.Service;
import io.jswarm.api.types.Task;
import io.jswarm.api.types.TaskSpec;
import io.jswarm.api.types.TaskState;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class NetworkNeedsTest {
  private static Task task(String... targets) {
    Task t = new Task();
    t.spec = new TaskSpec();
    t.spec.networks = new ArrayList<>();
    for (String target : targets) {
      NetworkAttachmentConfig c = new NetworkAttachmentConfig();
      c.target = target;
      t.spec.networks.add(c);
    }
    t.desiredState = TaskState.RUNNING;
    t.status = new Task.TaskStatus();
    t.status.state = TaskState.NEW;
    return t;
  }

  private static void attach(Task t, String id, boolean ingress) {
    NetworkAttachment a = new NetworkAttachment();
    a.network = new Network();
    a.network.id = id;
    a.network.spec = new Network.Spec();
    a.network.spec.name = "name-" + id;
    a.network.spec.ingress = ingress ? true : null;
    a.addresses = List.of("10.0.0.5/24");
    if (t.networksAttachments == null) {
      t.networksAttachments = new ArrayList<>();
    }
    t.networksAttachments.add(a);
  }

  private static Service publishing(String publishMode, String endpointMode) {
    Service s = new Service();
    s.spec = new Service.ServiceSpec();
    s.spec.endpointSpec = new EndpointSpec();
    s.spec.endpointSpec.mode = endpointMode;
    PortConfig p = new PortConfig();
    p.targetPort = 80L;
    p.publishMode = publishMode;
    s.spec.endpointSpec.ports = List.of(p);
    return s;
  }

  @Test
  void aTaskWithoutNetworksIsAlwaysAllocated() {
    assertFalse(NetworkNeeds.needsNetworks(task(), null));
    assertTrue(NetworkNeeds.allocated(task(), null));
    assertTrue(NetworkNeeds.allocated(task(), publishing("host", null)), "host-mode ports need no ingress");
  }

  @Test
  void everySpecNetworkNeedsAnAttachmentWithAnAddress() {
    Task t = task("n1", "n2", "n1");
    assertEquals(List.of("n1", "n2"), NetworkNeeds.targets(t));
    assertFalse(NetworkNeeds.allocated(t, null));
    attach(t, "n1", false);
    assertFalse(NetworkNeeds.allocated(t, null));
    attach(t, "n2", false);
    assertTrue(NetworkNeeds.allocated(t, null));
  }

  @Test
  void ingressPortsNeedAnIngressAttachmentInVipModeOnly() {
    Task t = task();
    assertFalse(NetworkNeeds.allocated(t, publishing(null, null)));
    assertTrue(NetworkNeeds.allocated(t, publishing(null, "dnsrr")));
    attach(t, "ing", true);
    assertTrue(NetworkNeeds.allocated(t, publishing("ingress", "vip")));
  }

  @Test
  void addressesAreHeldUntilTheTaskStopsOrNeverLeftTheManager() {
    Task t = task("n1");
    t.status.state = TaskState.RUNNING;
    assertTrue(NetworkNeeds.holdsAddresses(t));
    t.desiredState = TaskState.SHUTDOWN;
    assertTrue(NetworkNeeds.holdsAddresses(t), "still running on its node");
    t.status.state = TaskState.COMPLETE;
    assertFalse(NetworkNeeds.holdsAddresses(t));
    Task pending = task("n1");
    pending.status.state = TaskState.PENDING;
    pending.desiredState = TaskState.SHUTDOWN;
    assertFalse(NetworkNeeds.holdsAddresses(pending), "never scheduled, never will be");
    pending.status.state = TaskState.ASSIGNED;
    assertTrue(NetworkNeeds.holdsAddresses(pending), "a node may be starting it");
  }
}
