package io.jswarm.cli.client;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The flags and arguments of {@code service create}, as Docker names them. Fields stay null when a flag was not
 * given, so that {@link ServiceSpecs} can tell "not set" from a value. Usable as a picocli mixin or filled directly.
 */
public class ServiceCreateFlags {
  @Option(names = "--name", description = "Service name.")
  public String name;

  @Option(names = "--mode", defaultValue = "replicated", description = "Service mode (replicated, global, "
      + "replicated-job or global-job).")
  public String mode = "replicated";

  @Option(names = "--replicas", description = "Number of tasks (replicated-job: completions wanted).")
  public Long replicas;

  @Option(names = "--max-concurrent", description = "Number of job tasks to run concurrently (default equal to "
      + "--replicas).")
  public Long maxConcurrent;

  @Option(names = {"-e", "--env"}, description = "Set environment variables (KEY=VALUE).")
  public List<String> env = new ArrayList<>();

  @Option(names = "--label", description = "Service labels (key=value).")
  public List<String> labels = new ArrayList<>();

  @Option(names = "--constraint", description = "Placement constraints, e.g. node.labels.zone==east.")
  public List<String> constraints = new ArrayList<>();

  @Option(names = "--placement-pref", description = "Add a placement preference: spread=node.labels.X.")
  public List<String> placementPrefs = new ArrayList<>();

  @Option(names = "--replicas-max-per-node", description = "Maximum number of tasks per node (default 0 = unlimited).")
  public Long maxReplicasPerNode;

  @Option(names = "--placement-strategy", description = "spread (default: least loaded node) or binpack (fullest node "
      + "that still fits) (jswarm extension).")
  public String placementStrategy;

  @Option(names = "--rebalance-on-join", arity = "0..1", fallbackValue = "true",
      description = "Rebalance the service when a node joins or becomes ready and active, as service rebalance "
          + "does (jswarm extension; replicated services).")
  public Boolean rebalanceOnJoin;

  @Option(names = {"-p", "--publish"},
      description = "Publish a port: 8080:80[/udp] or published=8080,target=80,protocol=tcp,mode=host.")
  public List<String> publish = new ArrayList<>();

  @Option(names = "--network", description = "Network attachments: NAME, or name=NAME,alias=A[,alias=B] (repeatable).")
  public List<String> networks = new ArrayList<>();

  @Option(names = "--endpoint-mode", description = "Endpoint mode (vip or dnsrr) (default vip).")
  public String endpointMode;

  // ---- the container (applied by ContainerFlags) ----

  @Option(names = "--cpuset", description = "CPUs each container may run on, e.g. 0-3 or 0,2 (jswarm extension).")
  public String cpuset;

  @picocli.CommandLine.Mixin
  public ResourceFlags resources = new ResourceFlags();

  @picocli.CommandLine.Mixin
  public RestartFlags restart = new RestartFlags();

  @picocli.CommandLine.Mixin
  public HealthFlags health = new HealthFlags();

  @picocli.CommandLine.Mixin
  public SecurityOptFlags security = new SecurityOptFlags();

  @Option(names = "--mount",
      description = "Attach a filesystem mount: type=bind|volume|tmpfs,source=...,target=...[,readonly].")
  public List<String> mounts = new ArrayList<>();

  @Option(names = "--secret", description = "Give the tasks a secret: NAME or source=NAME,target=FILE,uid=0,gid=0,mode=0444 "
      + "(a file on a tmpfs at /run/secrets/FILE).")
  public List<String> secrets = new ArrayList<>();

  @Option(names = "--config", description = "Give the tasks a config: NAME or source=NAME,target=/PATH,uid=0,gid=0,mode=0444 "
      + "(a read-only file, at /NAME by default).")
  public List<String> configs = new ArrayList<>();

  @Option(names = "--stop-signal", description = "Signal to stop the container (default SIGTERM).")
  public String stopSignal;

  @Option(names = "--stop-grace-period", converter = FlagConverters.Duration.class,
      description = "Time to wait before force killing a container (ns|us|ms|s|m|h) (default 10s).")
  public Long stopGracePeriod;

  @Option(names = "--entrypoint", description = "Overwrite the default ENTRYPOINT of the image.")
  public String entrypoint;

  @Option(names = {"-w", "--workdir"}, description = "Working directory inside the container.")
  public String workdir;

  @Option(names = {"-u", "--user"}, description = "Username or UID (format: <name|uid>[:<group|gid>]).")
  public String user;

  @Option(names = "--hostname", description = "Container hostname.")
  public String hostname;

  @Parameters(index = "0", paramLabel = "IMAGE", description = "Image to run.")
  public String image;

  @Parameters(index = "1..*", paramLabel = "COMMAND", description = "Command and arguments (the image's CMD is replaced).")
  public List<String> args = new ArrayList<>();
}
