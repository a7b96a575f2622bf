package io.jswarm.manager.orchestrator;

import io.jswarm.api.json.Json;
import io.jswarm.api.types.Endpoint;
import io.jswarm.api.types.Service;
import io.jswarm.api.types.Task;
import io.jswarm.api.types.TaskState;
import io.jswarm.api.types.Timestamps;
import io.jswarm.api.types.Version;
import java.time.Instant;
import java.util.LinkedHashMap;

/** New tasks of a service, as swarmkit's {@code NewTask} makes them. */
final class TaskFactory {
  static final String CREATED = "created";

  private TaskFactory() {}

  /**
   * A task for {@code slot} (replicated; name {@code <service>.<slot>}) or {@code nodeId} (global; name
   * {@code <service>.<node id>}, node preset): state NEW "created", desired RUNNING, spec the service's current
   * task template, labels the service's. A job's task is desired COMPLETE (it runs until it exits) and carries the
   * job's current iteration, as in swarmkit. The task shares the template and the endpoint with {@code service}:
   * hand it to the store (which stores a copy) and drop it.
   */
  static Task newTask(Service service, Long slot, String nodeId, Instant now) {
    return newTask(service, endpointOf(service), slot, nodeId, now);
  }

  /** {@link #newTask(Service, Long, String, Instant)} with the service's {@link #endpointOf} already made. */
  static Task newTask(Service service, Endpoint endpoint, Long slot, String nodeId, Instant now) {
    Task t = new Task();
    t.serviceId = service.id;
    t.slot = slot;
    t.nodeId = nodeId;
    t.name = service.spec.name + "." + (slot != null ? slot.toString() : nodeId);
    t.labels = service.spec.labels == null ? null : new LinkedHashMap<>(service.spec.labels);
    t.spec = service.spec.taskTemplate;
    t.registryAuth = service.registryAuth;
    t.endpoint = endpoint;
    boolean job = service.spec.mode != null && service.spec.mode.isJob();
    t.desiredState = job ? TaskState.COMPLETE : TaskState.RUNNING;
    if (job) {
      t.jobIteration = new Version(jobIteration(service));
    }
    t.status = new Task.TaskStatus();
    t.status.timestamp = Timestamps.format(now);
    t.status.state = TaskState.NEW;
    t.status.message = CREATED;
    return t;
  }

  /** The job's current run ({@code JobStatus.JobIteration.Index}; 0 before the first update). */
  static long jobIteration(Service service) {
    return service.jobStatus == null || service.jobStatus.jobIteration == null ? 0
        : service.jobStatus.jobIteration.index;
  }

  /**
   * The service's endpoint (published ports, VIPs), copied: the worker publishes host-mode ports from it. Its
   * {@code Spec} is always the service's current endpoint spec (what {@link TaskFacts#template} compares): when the
   * allocator has not caught up with a changed spec yet, the endpoint is made from the spec alone rather than copied
   * stale, so the new task is current and is not replaced a second time.
   */
  static Endpoint endpointOf(Service service) {
    if (service.endpoint != null && TaskFacts.sameTree(service.endpoint.spec, service.spec.endpointSpec)) {
      return Json.copy(service.endpoint);
    }
    if (service.spec.endpointSpec == null) {
      return null;
    }
    Endpoint e = new Endpoint();
    e.spec = Json.copy(service.spec.endpointSpec);
    e.ports = e.spec.ports;
    return e;
  }
}
