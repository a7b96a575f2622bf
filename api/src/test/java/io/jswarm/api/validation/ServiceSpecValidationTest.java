package io.jswarm.api.validation;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.api.errors.InvalidArgumentException;
import io.jswarm.api.json.Json;
import io.jswarm.api.types.ContainerSpec;
import io.jswarm.api.types.EndpointSpec;
import io.jswarm.api.types.GenericResource;
import io.jswarm.api.types.Healthcheck;
import io.jswarm.api.types.Limit;
import io.jswarm.api.types.Mount;
import io.jswarm.api.types.NetworkAttachmentConfig;
import io.jswarm.api.types.Placement;
import io.jswarm.api.types.PortConfig;
import io.jswarm.api.types.ResourceRequirements;
import io.jswarm.api.types.Resources;
import io.jswarm.api.types.RestartPolicy;
import io.jswarm.api.types.Service;
import io.jswarm.api.types.ServiceMode;
import io.jswarm.api.types.Service.ServiceSpec;
import io.jswarm.api.types.TaskSpec;
import io.jswarm.api.types.UpdateConfig;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ServiceSpecValidationTest {

  /** A spec using every part the rules look at, all valid. */
  static ServiceSpec valid() {
    ServiceSpec s = new ServiceSpec();
    s.name = "web_frontend-1";
    TaskSpec t = s.taskTemplate = new TaskSpec();
    t.runtime = "container";
    ContainerSpec c = t.containerSpec = new ContainerSpec();
    c.image = "registry.example.com:5000/team/nginx:1.21-alpine@sha256:"
        + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    c.stopGracePeriod = 10_000_000_000L;
    c.mounts = new ArrayList<>(List.of(
        mount("bind", "/srv/www", "/usr/share/nginx/html"),
        mount("volume", "cache", "/var/cache/nginx"),
        mount("tmpfs", null, "/tmp")));
    c.mounts.get(0).bindOptions = new Mount.BindOptions();
    c.mounts.get(0).bindOptions.propagation = "rprivate";
    c.mounts.get(1).volumeOptions = new Mount.VolumeOptions();
    c.mounts.get(2).tmpfsOptions = new Mount.TmpfsOptions();
    c.mounts.get(2).tmpfsOptions.sizeBytes = 1L << 20;
    c.healthcheck = new Healthcheck();
    c.healthcheck.test = List.of("CMD", "true");
    c.healthcheck.interval = 0L;
    c.healthcheck.timeout = 1_000_000L;
    c.healthcheck.startPeriod = 5_000_000_000L;
    c.healthcheck.retries = 3L;
    c.secrets = new ArrayList<>(List.of(secret("s1", "tls_key", "key.pem"), secret("s2", "tls_crt", "crt.pem")));
    c.configs = new ArrayList<>(List.of(config("c1", "nginx_conf", "/etc/nginx/nginx.conf")));
    ContainerSpec.ConfigReference runtimeConfig = config("c2", "cred_spec", null);
    runtimeConfig.file = null;
    runtimeConfig.runtime = new ContainerSpec.RuntimeTarget();
    c.configs.add(runtimeConfig);
    t.resources = new ResourceRequirements();
    t.resources.limits = new Limit();
    t.resources.limits.nanoCPUs = 2_000_000_000L;
    t.resources.limits.memoryBytes = 512L << 20;
    t.resources.limits.pids = 100L;
    t.resources.reservations = new Resources();
    t.resources.reservations.nanoCPUs = 500_000_000L;
    t.resources.reservations.memoryBytes = 256L << 20;
    GenericResource gpu = new GenericResource();
    gpu.discreteResourceSpec = new GenericResource.DiscreteResourceSpec();
    gpu.discreteResourceSpec.kind = "GPU";
    gpu.discreteResourceSpec.value = 1L;
    t.resources.reservations.genericResources = new ArrayList<>(List.of(gpu));
    t.restartPolicy = new RestartPolicy();
    t.restartPolicy.condition = "on-failure";
    t.restartPolicy.delay = 5_000_000_000L;
    t.restartPolicy.maxAttempts = 3L;
    t.restartPolicy.window = 0L;
    t.placement = new Placement();
    t.placement.constraints = new ArrayList<>(List.of("node.role==worker", "node.labels.zone!=eu-1"));
    Placement.Preference pref = new Placement.Preference();
    pref.spread = new Placement.Spread();
    pref.spread.spreadDescriptor = "node.labels.zone";
    t.placement.preferences = new ArrayList<>(List.of(pref));
    t.placement.maxReplicas = 2L;
    t.networks = new ArrayList<>(List.of(network("backend")));
    s.mode = ServiceMode.replicated(3);
    s.updateConfig = update("rollback");
    s.rollbackConfig = update("pause");
    s.endpointSpec = new EndpointSpec();
    s.endpointSpec.mode = "vip";
    s.endpointSpec.ports = new ArrayList<>(List.of(
        port("tcp", 80, 8080, "ingress"), port("udp", 53, 8080, "ingress"), port(null, 443, 0, null),
        port("sctp", 9000, 9000, "host")));
    return s;
  }

  static Stream<Arguments> brokenSpecs() {
    return Stream.of(
        broken("no name", s -> s.name = null, "Spec.Name", "must not be empty"),
        broken("empty name", s -> s.name = "", "Spec.Name", "must not be empty"),
        broken("dotted name", s -> s.name = "my.web", "Spec.Name", "\"my.web\" is not a valid service name"),
        broken("name starting with a dash", s -> s.name = "-web", "Spec.Name", "starting and ending with a letter"),
        broken("name of 64 characters", s -> s.name = "a".repeat(64), "Spec.Name", "1 to 63 letters"),
        broken("no task template", s -> s.taskTemplate = null, "Spec.TaskTemplate.ContainerSpec", "must be set"),
        broken("no container spec", s -> s.taskTemplate.containerSpec = null, "Spec.TaskTemplate.ContainerSpec",
            "must be set"),
        broken("empty image", s -> s.taskTemplate.containerSpec.image = "", "Spec.TaskTemplate.ContainerSpec.Image",
            "must not be empty"),
        broken("missing image", s -> s.taskTemplate.containerSpec.image = null,
            "Spec.TaskTemplate.ContainerSpec.Image", "must not be empty"),
        broken("uppercase image", s -> s.taskTemplate.containerSpec.image = "Nginx:latest",
            "Spec.TaskTemplate.ContainerSpec.Image", "is not a valid image reference"),
        broken("image with empty tag", s -> s.taskTemplate.containerSpec.image = "nginx:",
            "Spec.TaskTemplate.ContainerSpec.Image", "is not a valid image reference"),
        broken("plugin runtime", s -> s.taskTemplate.runtime = "plugin", "Spec.TaskTemplate.Runtime",
            "\"plugin\" is not supported"),
        broken("plugin spec", s -> s.taskTemplate.pluginSpec = new TaskSpec.PluginSpec(),
            "Spec.TaskTemplate.PluginSpec", "not supported"),
        broken("attachment spec", s -> s.taskTemplate.networkAttachmentSpec = new TaskSpec.NetworkAttachmentSpec(),
            "Spec.TaskTemplate.NetworkAttachmentSpec", "only set by the daemon"),
        broken("negative replicas", s -> s.mode = ServiceMode.replicated(-1), "Spec.Mode.Replicated.Replicas",
            "must not be negative"),
        broken("replicas with global", s -> s.mode.global = new ServiceMode.Global(),
            "Spec.Mode.Replicated.Replicas", "cannot be set when Spec.Mode.Global is set"),
        broken("empty replicated with global", s -> {
          s.mode.replicated.replicas = null;
          s.mode.global = new ServiceMode.Global();
        }, "Spec.Mode.Replicated", "cannot be set when Spec.Mode.Global is set"),
        broken("two modes", s -> s.mode.replicatedJob = new ServiceMode.ReplicatedJob(), "Spec.Mode",
            "sets Replicated and ReplicatedJob; set exactly one"),
        broken("negative max concurrent", s -> {
          s.mode = new ServiceMode();
          s.mode.replicatedJob = new ServiceMode.ReplicatedJob();
          s.mode.replicatedJob.maxConcurrent = -1L;
          s.updateConfig = null;
        }, "Spec.Mode.ReplicatedJob.MaxConcurrent", "must not be negative"),
        broken("negative total completions", s -> {
          s.mode = new ServiceMode();
          s.mode.replicatedJob = new ServiceMode.ReplicatedJob();
          s.mode.replicatedJob.totalCompletions = -2L;
          s.updateConfig = null;
        }, "Spec.Mode.ReplicatedJob.TotalCompletions", "must not be negative"),
        broken("job with update config", s -> {
          s.mode = new ServiceMode();
          s.mode.globalJob = new ServiceMode.GlobalJob();
        }, "Spec.UpdateConfig", "must not be set for a job"),
        broken("unknown constraint key", s -> s.taskTemplate.placement.constraints.add("node.rack==r1"),
            "Spec.TaskTemplate.Placement.Constraints[2]", "unknown key \"node.rack\""),
        broken("constraint without operator", s -> s.taskTemplate.placement.constraints.set(0, "node.role=worker"),
            "Spec.TaskTemplate.Placement.Constraints[0]", "write KEY==VALUE or KEY!=VALUE"),
        broken("constraint with bad role", s -> s.taskTemplate.placement.constraints.set(0, "node.role==boss"),
            "Spec.TaskTemplate.Placement.Constraints[0]", "a role is manager or worker"),
        broken("constraint with bad value", s -> s.taskTemplate.placement.constraints.set(1, "engine.labels.os==a<b"),
            "Spec.TaskTemplate.Placement.Constraints[1]", "invalid value"),
        broken("preference without spread", s -> s.taskTemplate.placement.preferences.get(0).spread = null,
            "Spec.TaskTemplate.Placement.Preferences[0].Spread", "Spread is the only placement preference"),
        broken("spread over a non-label", s -> s.taskTemplate.placement.preferences.get(0).spread.spreadDescriptor =
            "node.id", "Spec.TaskTemplate.Placement.Preferences[0].Spread.SpreadDescriptor", "cannot be spread over"),
        broken("negative max replicas", s -> s.taskTemplate.placement.maxReplicas = -1L,
            "Spec.TaskTemplate.Placement.MaxReplicas", "must not be negative"),
        broken("unknown placement strategy", s -> s.taskTemplate.placement.strategy = "random",
            "Spec.TaskTemplate.Placement.Strategy", "use spread or binpack"),
        broken("rebalance on join of a global service", s -> {
          s.mode = new ServiceMode();
          s.mode.global = new ServiceMode.Global();
          s.taskTemplate.placement.rebalanceOnJoin = true;
        }, "Spec.TaskTemplate.Placement.RebalanceOnJoin", "only a replicated service is rebalanced"),
        broken("unknown user namespace mode", s -> s.taskTemplate.containerSpec.usernsMode = "private",
            "Spec.TaskTemplate.ContainerSpec.UsernsMode", "use \"host\""),
        broken("duplicate published port", s -> s.endpointSpec.ports.add(port("tcp", 81, 8080, "ingress")),
            "Spec.EndpointSpec.Ports[4].PublishedPort", "8080/tcp is published twice"),
        broken("duplicate published port, default protocol", s -> s.endpointSpec.ports.add(port(null, 81, 8080, null)),
            "Spec.EndpointSpec.Ports[4].PublishedPort", "8080/tcp is published twice"),
        broken("target port 0", s -> s.endpointSpec.ports.get(0).targetPort = 0L,
            "Spec.EndpointSpec.Ports[0].TargetPort", "0 is outside 1-65535"),
        broken("target port too big", s -> s.endpointSpec.ports.get(0).targetPort = 65536L,
            "Spec.EndpointSpec.Ports[0].TargetPort", "65536 is outside 1-65535"),
        broken("no target port", s -> s.endpointSpec.ports.get(0).targetPort = null,
            "Spec.EndpointSpec.Ports[0].TargetPort", "must be set"),
        broken("published port too big", s -> s.endpointSpec.ports.get(1).publishedPort = 70000L,
            "Spec.EndpointSpec.Ports[1].PublishedPort", "70000 is outside 1-65535"),
        broken("negative published port", s -> s.endpointSpec.ports.get(1).publishedPort = -1L,
            "Spec.EndpointSpec.Ports[1].PublishedPort", "-1 is outside 1-65535"),
        broken("unknown protocol", s -> s.endpointSpec.ports.get(0).protocol = "icmp",
            "Spec.EndpointSpec.Ports[0].Protocol", "\"icmp\" is not allowed; use one of tcp, udp, sctp"),
        broken("uppercase protocol", s -> s.endpointSpec.ports.get(0).protocol = "TCP",
            "Spec.EndpointSpec.Ports[0].Protocol", "use one of tcp, udp, sctp"),
        broken("unknown publish mode", s -> s.endpointSpec.ports.get(0).publishMode = "public",
            "Spec.EndpointSpec.Ports[0].PublishMode", "use one of ingress, host"),
        broken("unknown endpoint mode", s -> s.endpointSpec.mode = "roundrobin", "Spec.EndpointSpec.Mode",
            "use one of vip, dnsrr"),
        broken("dnsrr with ingress port", s -> s.endpointSpec.mode = "dnsrr", "Spec.EndpointSpec.Ports[0].PublishMode",
            "ingress publishing cannot be used with Spec.EndpointSpec.Mode dnsrr"),
        broken("dnsrr with default-mode port", s -> {
          s.endpointSpec.mode = "dnsrr";
          s.endpointSpec.ports = new ArrayList<>(List.of(port("tcp", 80, 0, null)));
        }, "Spec.EndpointSpec.Ports[0].PublishMode", "publish in host mode or use Mode vip"),
        broken("unknown restart condition", s -> s.taskTemplate.restartPolicy.condition = "always",
            "Spec.TaskTemplate.RestartPolicy.Condition", "use one of none, on-failure, any"),
        broken("negative restart delay", s -> s.taskTemplate.restartPolicy.delay = -1L,
            "Spec.TaskTemplate.RestartPolicy.Delay", "must not be negative"),
        broken("negative restart window", s -> s.taskTemplate.restartPolicy.window = -1L,
            "Spec.TaskTemplate.RestartPolicy.Window", "must not be negative"),
        broken("negative max attempts", s -> s.taskTemplate.restartPolicy.maxAttempts = -1L,
            "Spec.TaskTemplate.RestartPolicy.MaxAttempts", "must not be negative"),
        broken("unknown update failure action", s -> s.updateConfig.failureAction = "ignore",
            "Spec.UpdateConfig.FailureAction", "use one of pause, continue, rollback"),
        broken("rollback on rollback", s -> s.rollbackConfig.failureAction = "rollback",
            "Spec.RollbackConfig.FailureAction", "use one of pause, continue"),
        broken("unknown update order", s -> s.updateConfig.order = "random", "Spec.UpdateConfig.Order",
            "use one of stop-first, start-first"),
        broken("unknown rollback order", s -> s.rollbackConfig.order = "first", "Spec.RollbackConfig.Order",
            "use one of stop-first, start-first"),
        broken("failure ratio above 1", s -> s.updateConfig.maxFailureRatio = 1.5, "Spec.UpdateConfig.MaxFailureRatio",
            "is outside 0..1"),
        broken("negative failure ratio", s -> s.rollbackConfig.maxFailureRatio = -0.1,
            "Spec.RollbackConfig.MaxFailureRatio", "is outside 0..1"),
        broken("negative update delay", s -> s.updateConfig.delay = -1L, "Spec.UpdateConfig.Delay",
            "must not be negative"),
        broken("negative update monitor", s -> s.updateConfig.monitor = -1L, "Spec.UpdateConfig.Monitor",
            "must not be negative"),
        broken("negative parallelism", s -> s.rollbackConfig.parallelism = -1L, "Spec.RollbackConfig.Parallelism",
            "must not be negative"),
        broken("negative CPU limit", s -> s.taskTemplate.resources.limits.nanoCPUs = -1L,
            "Spec.TaskTemplate.Resources.Limits.NanoCPUs", "must not be negative"),
        broken("negative memory limit", s -> s.taskTemplate.resources.limits.memoryBytes = -1L,
            "Spec.TaskTemplate.Resources.Limits.MemoryBytes", "must not be negative"),
        broken("negative pids limit", s -> s.taskTemplate.resources.limits.pids = -1L,
            "Spec.TaskTemplate.Resources.Limits.Pids", "must not be negative"),
        broken("blkio weight below 10", s -> s.taskTemplate.resources.limits.blkioWeight = 5L,
            "Spec.TaskTemplate.Resources.Limits.BlkioWeight", "give 10-1000"),
        broken("cpuset that is not a list", s -> s.taskTemplate.resources.limits.cpuset = "all",
            "Spec.TaskTemplate.Resources.Limits.Cpuset", "is not a CPU list"),
        broken("negative CPU reservation", s -> s.taskTemplate.resources.reservations.nanoCPUs = -5L,
            "Spec.TaskTemplate.Resources.Reservations.NanoCPUs", "must not be negative"),
        broken("negative memory reservation", s -> s.taskTemplate.resources.reservations.memoryBytes = -5L,
            "Spec.TaskTemplate.Resources.Reservations.MemoryBytes", "must not be negative"),
        broken("tiny CPU limit", s -> s.taskTemplate.resources.limits.nanoCPUs = 10L,
            "Spec.TaskTemplate.Resources.Limits.NanoCPUs", "at least 1000000 (0.001 CPU)"),
        broken("tiny memory limit", s -> s.taskTemplate.resources.limits.memoryBytes = 1024L,
            "Spec.TaskTemplate.Resources.Limits.MemoryBytes", "at least 4194304 (4 MiB)"),
        broken("CPU reservation above limit", s -> s.taskTemplate.resources.reservations.nanoCPUs = 3_000_000_000L,
            "Spec.TaskTemplate.Resources.Reservations.NanoCPUs", "is greater than the limit"),
        broken("memory reservation above limit", s -> s.taskTemplate.resources.reservations.memoryBytes = 1L << 30,
            "Spec.TaskTemplate.Resources.Reservations.MemoryBytes",
            "greater than the limit Spec.TaskTemplate.Resources.Limits.MemoryBytes"),
        broken("generic resource with both kinds", s -> s.taskTemplate.resources.reservations.genericResources.get(0)
            .namedResourceSpec = new GenericResource.NamedResourceSpec(),
            "Spec.TaskTemplate.Resources.Reservations.GenericResources[0]", "exactly one of"),
        broken("named generic resource without kind", s -> {
          GenericResource g = s.taskTemplate.resources.reservations.genericResources.get(0);
          g.discreteResourceSpec = null;
          g.namedResourceSpec = new GenericResource.NamedResourceSpec();
        }, "Spec.TaskTemplate.Resources.Reservations.GenericResources[0].NamedResourceSpec.Kind", "must not be empty"),
        broken("discrete generic resource without kind", s -> s.taskTemplate.resources.reservations.genericResources
            .get(0).discreteResourceSpec.kind = "",
            "Spec.TaskTemplate.Resources.Reservations.GenericResources[0].DiscreteResourceSpec.Kind",
            "must not be empty"),
        broken("negative discrete generic resource", s -> s.taskTemplate.resources.reservations.genericResources
            .get(0).discreteResourceSpec.value = -1L,
            "Spec.TaskTemplate.Resources.Reservations.GenericResources[0].DiscreteResourceSpec.Value",
            "must not be negative"),
        broken("unknown mount type", s -> s.taskTemplate.containerSpec.mounts.get(1).type = "nfs",
            "Spec.TaskTemplate.ContainerSpec.Mounts[1].Type", "use one of bind, volume, tmpfs, npipe, cluster"),
        broken("mount without type", s -> s.taskTemplate.containerSpec.mounts.get(1).type = null,
            "Spec.TaskTemplate.ContainerSpec.Mounts[1].Type", "must be set"),
        broken("mount without target", s -> s.taskTemplate.containerSpec.mounts.get(1).target = "",
            "Spec.TaskTemplate.ContainerSpec.Mounts[1].Target", "must not be empty"),
        broken("relative mount target", s -> s.taskTemplate.containerSpec.mounts.get(1).target = "cache",
            "Spec.TaskTemplate.ContainerSpec.Mounts[1].Target", "must be an absolute path"),
        broken("duplicate mount target", s -> s.taskTemplate.containerSpec.mounts.get(1).target = "/tmp",
            "Spec.TaskTemplate.ContainerSpec.Mounts[2].Target", "duplicate mount point \"/tmp\""),
        broken("bind without source", s -> s.taskTemplate.containerSpec.mounts.get(0).source = null,
            "Spec.TaskTemplate.ContainerSpec.Mounts[0].Source", "must not be empty for a bind mount"),
        broken("tmpfs with source", s -> s.taskTemplate.containerSpec.mounts.get(2).source = "x",
            "Spec.TaskTemplate.ContainerSpec.Mounts[2].Source", "must be empty for a tmpfs mount"),
        broken("bind options on a volume", s -> s.taskTemplate.containerSpec.mounts.get(1).bindOptions =
            new Mount.BindOptions(), "Spec.TaskTemplate.ContainerSpec.Mounts[1].BindOptions", "only allowed when Type is bind"),
        broken("volume options on a bind", s -> s.taskTemplate.containerSpec.mounts.get(0).volumeOptions =
            new Mount.VolumeOptions(), "Spec.TaskTemplate.ContainerSpec.Mounts[0].VolumeOptions",
            "only allowed when Type is volume"),
        broken("tmpfs options on a volume", s -> s.taskTemplate.containerSpec.mounts.get(1).tmpfsOptions =
            new Mount.TmpfsOptions(), "Spec.TaskTemplate.ContainerSpec.Mounts[1].TmpfsOptions",
            "only allowed when Type is tmpfs"),
        broken("unknown propagation", s -> s.taskTemplate.containerSpec.mounts.get(0).bindOptions.propagation = "weird",
            "Spec.TaskTemplate.ContainerSpec.Mounts[0].BindOptions.Propagation", "use one of private, rprivate"),
        broken("negative tmpfs size", s -> s.taskTemplate.containerSpec.mounts.get(2).tmpfsOptions.sizeBytes = -1L,
            "Spec.TaskTemplate.ContainerSpec.Mounts[2].TmpfsOptions.SizeBytes", "must not be negative"),
        broken("null mount", s -> s.taskTemplate.containerSpec.mounts.add(null),
            "Spec.TaskTemplate.ContainerSpec.Mounts[3]", "must not be null"),
        broken("negative stop grace period", s -> s.taskTemplate.containerSpec.stopGracePeriod = -1L,
            "Spec.TaskTemplate.ContainerSpec.StopGracePeriod", "must not be negative"),
        broken("health interval under 1 ms", s -> s.taskTemplate.containerSpec.healthcheck.interval = 500L,
            "Spec.TaskTemplate.ContainerSpec.Healthcheck.Interval", "give 0 (inherit) or at least 1000000 (1 ms)"),
        broken("negative health timeout", s -> s.taskTemplate.containerSpec.healthcheck.timeout = -1L,
            "Spec.TaskTemplate.ContainerSpec.Healthcheck.Timeout", "at least 1000000"),
        broken("health start period under 1 ms", s -> s.taskTemplate.containerSpec.healthcheck.startPeriod = 10L,
            "Spec.TaskTemplate.ContainerSpec.Healthcheck.StartPeriod", "at least 1000000"),
        broken("negative health retries", s -> s.taskTemplate.containerSpec.healthcheck.retries = -1L,
            "Spec.TaskTemplate.ContainerSpec.Healthcheck.Retries", "must not be negative"),
        broken("secret without ID", s -> s.taskTemplate.containerSpec.secrets.get(1).secretId = null,
            "Spec.TaskTemplate.ContainerSpec.Secrets[1].SecretID", "must be set"),
        broken("secret without name", s -> s.taskTemplate.containerSpec.secrets.get(1).secretName = "",
            "Spec.TaskTemplate.ContainerSpec.Secrets[1].SecretName", "must be set"),
        broken("secret without file", s -> s.taskTemplate.containerSpec.secrets.get(0).file = null,
            "Spec.TaskTemplate.ContainerSpec.Secrets[0].File", "must be set"),
        broken("secret with empty file name", s -> s.taskTemplate.containerSpec.secrets.get(0).file.name = "",
            "Spec.TaskTemplate.ContainerSpec.Secrets[0].File.Name", "must not be empty"),
        broken("two secrets in one file", s -> s.taskTemplate.containerSpec.secrets.get(1).file.name = "key.pem",
            "Spec.TaskTemplate.ContainerSpec.Secrets[1].File.Name", "\"key.pem\" is the target of another secret"),
        broken("null secret", s -> s.taskTemplate.containerSpec.secrets.add(null),
            "Spec.TaskTemplate.ContainerSpec.Secrets[2]", "must not be null"),
        broken("config without ID", s -> s.taskTemplate.containerSpec.configs.get(0).configId = "",
            "Spec.TaskTemplate.ContainerSpec.Configs[0].ConfigID", "must be set"),
        broken("config without name", s -> s.taskTemplate.containerSpec.configs.get(0).configName = null,
            "Spec.TaskTemplate.ContainerSpec.Configs[0].ConfigName", "must be set"),
        broken("config without target", s -> s.taskTemplate.containerSpec.configs.get(1).runtime = null,
            "Spec.TaskTemplate.ContainerSpec.Configs[1].File", "must be set (or Runtime)"),
        broken("config with two targets", s -> s.taskTemplate.containerSpec.configs.get(0).runtime =
            new ContainerSpec.RuntimeTarget(), "Spec.TaskTemplate.ContainerSpec.Configs[0].Runtime",
            "cannot be set together with File"),
        broken("config with empty file name", s -> s.taskTemplate.containerSpec.configs.get(0).file.name = null,
            "Spec.TaskTemplate.ContainerSpec.Configs[0].File.Name", "must not be empty"),
        broken("two configs in one file", s -> s.taskTemplate.containerSpec.configs.add(
            config("c3", "other", "/etc/nginx/nginx.conf")), "Spec.TaskTemplate.ContainerSpec.Configs[2].File.Name",
            "is the target of another config"),
        broken("secret file climbing out", s -> s.taskTemplate.containerSpec.secrets.get(0).file.name = "../etc/shadow",
            "Spec.TaskTemplate.ContainerSpec.Secrets[0].File.Name", "must not contain \"..\""),
        broken("secret outside /run/secrets", s -> s.taskTemplate.containerSpec.secrets.get(0).file.name = "/etc/key",
            "Spec.TaskTemplate.ContainerSpec.Secrets[0].File.Name", "secrets live on a tmpfs at /run/secrets"),
        broken("secret mode out of range", s -> s.taskTemplate.containerSpec.secrets.get(1).file.mode = 01000L,
            "Spec.TaskTemplate.ContainerSpec.Secrets[1].File.Mode", "give permission bits 0 to 0777"),
        broken("secret uid not a number", s -> s.taskTemplate.containerSpec.secrets.get(0).file.uid = "root",
            "Spec.TaskTemplate.ContainerSpec.Secrets[0].File.UID", "not a numeric user or group id"),
        broken("config gid not a number", s -> s.taskTemplate.containerSpec.configs.get(0).file.gid = "-1",
            "Spec.TaskTemplate.ContainerSpec.Configs[0].File.GID", "not a numeric user or group id"),
        broken("null config", s -> s.taskTemplate.containerSpec.configs.add(null),
            "Spec.TaskTemplate.ContainerSpec.Configs[2]", "must not be null"),
        broken("task network without target", s -> s.taskTemplate.networks.add(network("")),
            "Spec.TaskTemplate.Networks[1].Target", "must not be empty"),
        broken("service network without target", s -> s.networks = new ArrayList<>(List.of(network(null))),
            "Spec.Networks[0].Target", "must not be empty"),
        broken("null port", s -> s.endpointSpec.ports.add(null), "Spec.EndpointSpec.Ports[4]", "must not be null"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("brokenSpecs")
  void brokenSpecIsRejectedNamingTheField(String rule, Consumer<ServiceSpec> breakIt, String path, String text) {
    ServiceSpec spec = valid();
    breakIt.accept(spec);
    InvalidArgumentException e =
        assertThrows(InvalidArgumentException.class, () -> SpecValidator.validateService(spec), rule);
    assertTrue(e.getMessage().contains(path + ": ") && e.getMessage().contains(text),
        () -> rule + ": want \"" + path + ": ..." + text + "...\" in: " + e.getMessage());
    assertEquals(400, e.httpStatus());
  }

  @Test
  void validSpecPasses() {
    assertDoesNotThrow(() -> SpecValidator.validateService(valid()));
  }

  @Test
  void documentedSpecsPass() throws IOException {
    SpecValidator.validateService(Json.fromBytes(resource("service-create-example.json"), ServiceSpec.class));
    SpecValidator.validateService(Json.fromBytes(resource("service-example.json"), Service.class).spec);
  }

  @Test
  void minimalSpecsPass() {
    ServiceSpec s = new ServiceSpec();
    s.name = "a".repeat(63);
    s.taskTemplate = new TaskSpec();
    s.taskTemplate.containerSpec = new ContainerSpec();
    s.taskTemplate.containerSpec.image = "redis";
    SpecValidator.validateService(s);
    s.mode = ServiceMode.global();
    SpecValidator.validateService(s);
    s.endpointSpec = new EndpointSpec();
    s.endpointSpec.mode = "dnsrr";
    s.endpointSpec.ports = List.of(port("tcp", 80, 8080, "host"));
    SpecValidator.validateService(s);
  }

  @Test
  void imageReferencesFollowDockersGrammar() {
    for (String ok : List.of("redis", "library/redis:7", "localhost:5000/a/b:1.0", "ghcr.io/org/app__x-y.z:v1_2",
        "redis@sha256:" + "a".repeat(64))) {
      assertTrue(ServiceRules.isImageReference(ok), ok);
    }
    for (String bad : List.of("Redis", "redis:", ":7", "a//b", "redis@sha256:abc", "re dis", "-redis",
        "a".repeat(256))) {
      assertTrue(!ServiceRules.isImageReference(bad), bad);
    }
  }

  @Test
  void everyProblemIsReportedAtOnce() {
    ServiceSpec s = valid();
    s.name = "";
    s.taskTemplate.containerSpec.image = "";
    s.endpointSpec.ports.get(0).targetPort = 0L;
    InvalidArgumentException e = assertThrows(InvalidArgumentException.class, () -> SpecValidator.validateService(s));
    assertTrue(e.getMessage().startsWith("invalid service spec: Spec.Name: must not be empty"), e.getMessage());
    assertTrue(e.getMessage().contains("; Spec.TaskTemplate.ContainerSpec.Image: must not be empty"), e.getMessage());
    assertTrue(e.getMessage().contains("; Spec.EndpointSpec.Ports[0].TargetPort: 0 is outside"), e.getMessage());
  }

  @Test
  void missingSpecIsRejected() {
    InvalidArgumentException e = assertThrows(InvalidArgumentException.class, () -> SpecValidator.validateService(null));
    assertEquals("invalid service spec: Spec: a service spec is required", e.getMessage());
  }

  private static Arguments broken(String rule, Consumer<ServiceSpec> breakIt, String path, String text) {
    return Arguments.of(rule, breakIt, path, text);
  }

  private static Mount mount(String type, String source, String target) {
    Mount m = new Mount();
    m.type = type;
    m.source = source;
    m.target = target;
    return m;
  }

  private static ContainerSpec.SecretReference secret(String id, String name, String file) {
    ContainerSpec.SecretReference r = new ContainerSpec.SecretReference();
    r.secretId = id;
    r.secretName = name;
    r.file = new ContainerSpec.FileTarget();
    r.file.name = file;
    r.file.mode = 0400L;
    return r;
  }

  private static ContainerSpec.ConfigReference config(String id, String name, String file) {
    ContainerSpec.ConfigReference r = new ContainerSpec.ConfigReference();
    r.configId = id;
    r.configName = name;
    r.file = new ContainerSpec.FileTarget();
    r.file.name = file;
    return r;
  }

  private static NetworkAttachmentConfig network(String target) {
    NetworkAttachmentConfig n = new NetworkAttachmentConfig();
    n.target = target;
    return n;
  }

  private static UpdateConfig update(String failureAction) {
    UpdateConfig u = new UpdateConfig();
    u.parallelism = 1L;
    u.delay = 1_000_000_000L;
    u.failureAction = failureAction;
    u.monitor = 5_000_000_000L;
    u.maxFailureRatio = 0.2;
    u.order = "start-first";
    return u;
  }

  private static PortConfig port(String protocol, long target, long published, String mode) {
    PortConfig p = new PortConfig();
    p.protocol = protocol;
    p.targetPort = target;
    p.publishedPort = published;
    p.publishMode = mode;
    return p;
  }

  static byte[] resource(String file) throws IOException {
    try (InputStream in = ServiceSpecValidationTest.class.getResourceAsStream("/docker/" + file)) {
      return in.readAllBytes();
    }
  }
}
