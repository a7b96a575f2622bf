package io.jswarm.cli.client;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** The flags of {@code service update}, as Docker names them; null or empty means "leave as is". */
public class ServiceUpdateFlags {
  @Option(names = "--replicas", description = "Number of tasks.")
  public Long replicas;

  @Option(names = "--image", description = "Service image tag.")
  public String image;

  @Option(names = "--env-add", description = "Add or update an environment variable (KEY=VALUE).")
  public List<String> envAdd = new ArrayList<>();

  @Option(names = "--env-rm", description = "Remove an environment variable (KEY).")
  public List<String> envRm = new ArrayList<>();

  @Option(names = "--label-add", description = "Add or update a service label (key=value).")
  public List<String> labelAdd = new ArrayList<>();

  @Option(names = "--label-rm", description = "Remove a service label by key.")
  public List<String> labelRm = new ArrayList<>();

  @Option(names = "--constraint-add", description = "Add or update a placement constraint.")
  public List<String> constraintAdd = new ArrayList<>();

  @Option(names = "--constraint-rm", description = "Remove a placement constraint.")
  public List<String> constraintRm = new ArrayList<>();

  @Option(names = "--placement-pref-add", description = "Add a placement preference (spread=node.labels.X).")
  public List<String> placementPrefAdd = new ArrayList<>();

  @Option(names = "--placement-pref-rm", description = "Remove a placement preference.")
  public List<String> placementPrefRm = new ArrayList<>();

  @Option(names = "--replicas-max-per-node", description = "Maximum number of tasks per node (0 = unlimited).")
  public Long maxReplicasPerNode;

  @Option(names = "--placement-strategy", description = "spread or binpack (jswarm extension).")
  public String placementStrategy;

  @Option(names = "--rebalance-on-join", arity = "0..1", fallbackValue = "true",
      description = "Rebalance when a node joins: true or false (jswarm extension).")
  public Boolean rebalanceOnJoin;

  @Option(names = "--network-add", description = "Add a network: NAME, or name=NAME,alias=A.")
  public List<String> networkAdd = new ArrayList<>();

  @Option(names = "--network-rm", description = "Remove a network (its id as stored; the command resolves names).")
  public List<String> networkRm = new ArrayList<>();

  @Option(names = "--publish-add", description = "Add or update a published port.")
  public List<String> publishAdd = new ArrayList<>();

  @Option(names = "--publish-rm", description = "Remove a published port by its target port (80 or 80/udp).")
  public List<String> publishRm = new ArrayList<>();

  @Option(names = "--secret-add", description = "Add or replace a secret: NAME or source=NAME,target=FILE,uid=,gid=,mode=.")
  public List<String> secretAdd = new ArrayList<>();

  @Option(names = "--secret-rm", description = "Remove a secret (by name or id).")
  public List<String> secretRm = new ArrayList<>();

  @Option(names = "--config-add", description = "Add or replace a config: NAME or source=NAME,target=/PATH,uid=,gid=,mode=.")
  public List<String> configAdd = new ArrayList<>();

  @Option(names = "--config-rm", description = "Remove a config (by name or id).")
  public List<String> configRm = new ArrayList<>();

  @Option(names = "--force", description = "Force an update even if no changes require it.")
  public boolean force;

  @Option(names = "--args", description = "Service command args (replaces the current ones).")
  public String args;

  @picocli.CommandLine.Mixin
  public ResourceFlags resources = new ResourceFlags();

  @picocli.CommandLine.Mixin
  public RestartFlags restart = new RestartFlags();

  @picocli.CommandLine.Mixin
  public HealthFlags health = new HealthFlags();

  @picocli.CommandLine.Mixin
  public SecurityOptFlags security = new SecurityOptFlags();
}
