package io.jswarm.api.validation;

import static io.jswarm.api.validation.ServiceSpecValidationTest.resource;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.api.errors.InvalidArgumentException;
import io.jswarm.api.json.Json;
import io.jswarm.api.types.Base64Data;
import io.jswarm.api.types.Config;
import io.jswarm.api.types.Driver;
import io.jswarm.api.types.Network;
import io.jswarm.api.types.Node;
import io.jswarm.api.types.Secret;
import io.jswarm.api.types.Swarm;
import java.io.IOException;
import java.util.ArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Node, swarm, network, secret and config spec rules. */
class ObjectSpecValidationTest {

  // ---- node

  @Test
  void documentedNodeSpecPasses() throws IOException {
    SpecValidator.validateNode(Json.fromBytes(resource("node-spec-example.json"), Node.Spec.class));
    Node.Spec worker = node("worker", "drain");
    worker.name = "any name at all";
    SpecValidator.validateNode(worker);
    SpecValidator.validateNode(node("manager", "pause"));
  }

  @Test
  void nodeRoleAndAvailabilityAreChecked() {
    rejected(() -> SpecValidator.validateNode(node("admin", "active")), "Spec.Role",
        "\"admin\" is not allowed; use one of worker, manager");
    rejected(() -> SpecValidator.validateNode(node(null, "active")), "Spec.Role", "must be set; allowed: worker, manager");
    rejected(() -> SpecValidator.validateNode(node("worker", "paused")), "Spec.Availability",
        "use one of active, pause, drain");
    rejected(() -> SpecValidator.validateNode(node("worker", "")), "Spec.Availability", "must be set");
    rejected(() -> SpecValidator.validateNode(null), "Spec", "a node spec is required");
  }

  // ---- swarm

  @Test
  void documentedSwarmSpecPasses() throws IOException {
    SpecValidator.validateSwarm(Json.fromBytes(resource("swarm-sample.json"), Swarm.class).spec);
    Swarm.Spec minimal = new Swarm.Spec();
    minimal.name = Swarm.DEFAULT_NAME;
    SpecValidator.validateSwarm(minimal);
  }

  @Test
  void swarmRulesNameTheField() throws IOException {
    rejected(() -> SpecValidator.validateSwarm(swarm(s -> s.name = "")), "Spec.Name", "must not be empty");
    rejected(() -> SpecValidator.validateSwarm(swarm(s -> s.name = "prod")), "Spec.Name",
        "\"prod\" is not allowed; the swarm is always named \"default\"");
    rejected(() -> SpecValidator.validateSwarm(swarm(s -> {
      s.raft.electionTick = 4L;
      s.raft.heartbeatTick = 4L;
    })), "Spec.Raft.ElectionTick", "4 must be greater than Spec.Raft.HeartbeatTick (4)");
    rejected(() -> SpecValidator.validateSwarm(swarm(s -> s.raft.electionTick = -3L)), "Spec.Raft.ElectionTick",
        "-3 is outside 3..600; give the election timeout in ticks of 100 ms");
    rejected(() -> SpecValidator.validateSwarm(swarm(s -> s.raft.electionTick = 2L)), "Spec.Raft.ElectionTick",
        "2 is outside 3..600");
    // the docker client sends 0 for a field it was not given: the default, as in Docker
    SpecValidator.validateSwarm(swarm(s -> s.raft.electionTick = 0L));
    assertEquals(Swarm.Raft.DEFAULT_ELECTION_TICK, Swarm.Raft.electionTickOrDefault(0L));
    rejected(() -> SpecValidator.validateSwarm(swarm(s -> s.raft.electionTick = 601L)), "Spec.Raft.ElectionTick",
        "601 is outside 3..600");
    rejected(() -> SpecValidator.validateSwarm(swarm(s -> {
      s.raft.electionTick = null;
      s.raft.heartbeatTick = 10L;
    })), "Spec.Raft.ElectionTick", "5 must be greater than Spec.Raft.HeartbeatTick (10)");
    rejected(() -> SpecValidator.validateSwarm(swarm(s -> s.raft.heartbeatTick = -1L)), "Spec.Raft.HeartbeatTick",
        "must not be negative");
    rejected(() -> SpecValidator.validateSwarm(swarm(s -> s.raft.snapshotInterval = -1L)),
        "Spec.Raft.SnapshotInterval", "must not be negative");
    rejected(() -> SpecValidator.validateSwarm(swarm(s -> s.raft.keepOldSnapshots = -1L)),
        "Spec.Raft.KeepOldSnapshots", "must not be negative");
    rejected(() -> SpecValidator.validateSwarm(swarm(s -> s.raft.logEntriesForSlowFollowers = -1L)),
        "Spec.Raft.LogEntriesForSlowFollowers", "must not be negative");
    rejected(() -> SpecValidator.validateSwarm(swarm(s -> s.dispatcher.heartbeatPeriod = -1L)),
        "Spec.Dispatcher.HeartbeatPeriod", "must not be negative");
    rejected(() -> SpecValidator.validateSwarm(swarm(s -> s.caConfig.nodeCertExpiry = 60_000_000_000L)),
        "Spec.CAConfig.NodeCertExpiry", "at least 3600000000000 (1 hour)");
    rejected(() -> SpecValidator.validateSwarm(swarm(s -> s.caConfig.externalCAs.get(0).protocol = "acme")),
        "Spec.CAConfig.ExternalCAs[0].Protocol", "use one of cfssl");
    rejected(() -> SpecValidator.validateSwarm(swarm(s -> s.caConfig.externalCAs.get(0).url = "")),
        "Spec.CAConfig.ExternalCAs[0].URL", "must not be empty");
    rejected(() -> SpecValidator.validateSwarm(swarm(s -> s.caConfig.externalCAs.add(null))),
        "Spec.CAConfig.ExternalCAs[1]", "must not be null");
    rejected(() -> SpecValidator.validateSwarm(swarm(s -> s.caConfig.signingCACert = null)),
        "Spec.CAConfig.SigningCAKey", "needs Spec.CAConfig.SigningCACert");
    rejected(() -> SpecValidator.validateSwarm(null), "Spec", "a swarm spec is required");
  }

  // ---- network

  @Test
  void networkRulesNameTheField() {
    assertDoesNotThrow(() -> SpecValidator.validateNetwork(network("backend_net-1", true, false)));
    assertDoesNotThrow(() -> SpecValidator.validateNetwork(network("ingress", false, true)));
    rejected(() -> SpecValidator.validateNetwork(network(null, false, false)), "Spec.Name", "must not be empty");
    rejected(() -> SpecValidator.validateNetwork(network("my.net", false, false)), "Spec.Name",
        "\"my.net\" is not a valid network name");
    rejected(() -> SpecValidator.validateNetwork(network("n".repeat(64), false, false)), "Spec.Name", "1 to 63");
    rejected(() -> SpecValidator.validateNetwork(network("ingress", true, true)), "Spec.Attachable",
        "an ingress network cannot be attachable");
    rejected(() -> SpecValidator.validateNetwork(null), "Spec", "a network spec is required");
  }

  // ---- secret

  @Test
  void documentedSecretPasses() throws IOException {
    Secret.Spec documented = Json.fromBytes(resource("secret-create-example.json"), Secret.Spec.class);
    documented.driver = null; // the documented example names a driver; jswarm has none (refused below)
    SpecValidator.validateSecret(documented);
    SpecValidator.validateSecret(secret("s".repeat(64), Base64Data.encode(new byte[SpecValidator.MAX_PAYLOAD_BYTES - 1])));
  }

  @Test
  void secretRulesNameTheField() {
    rejected(() -> SpecValidator.validateSecret(secret("", "eA==")), "Spec.Name", "must not be empty");
    rejected(() -> SpecValidator.validateSecret(secret("key.", "eA==")), "Spec.Name", "\"key.\" is not a valid secret name");
    rejected(() -> SpecValidator.validateSecret(secret("_key", "eA==")), "Spec.Name", "starting and ending with");
    rejected(() -> SpecValidator.validateSecret(secret("s".repeat(65), "eA==")), "Spec.Name", "1 to 64");
    rejected(() -> SpecValidator.validateSecret(secret("key", null)), "Spec.Data", "must be set");
    rejected(() -> SpecValidator.validateSecret(secret("key", "%%%")), "Spec.Data", "not valid base64");
    rejected(() -> SpecValidator.validateSecret(secret("key", "\r\n")), "Spec.Data", "decodes to nothing");
    rejected(() -> SpecValidator.validateSecret(secret("key",
        Base64Data.encode(new byte[SpecValidator.MAX_PAYLOAD_BYTES]))), "Spec.Data",
        "decodes to 512000 bytes; a secret must be smaller than 512000 bytes (500 KiB)");
    Secret.Spec external = secret("db.password", null);
    external.driver = new Driver();
    external.driver.name = "vault";
    rejected(() -> SpecValidator.validateSecret(external), "Spec.Driver", "secret drivers");
    Secret.Spec templated = secret("key", "eA==");
    templated.templating = new Driver();
    templated.templating.name = "golang";
    rejected(() -> SpecValidator.validateSecret(templated), "Spec.Templating", "not supported");
    rejected(() -> SpecValidator.validateSecret(null), "Spec", "a secret spec is required");
  }

  // ---- config

  @Test
  void configRulesNameTheField() throws IOException {
    SpecValidator.validateConfig(Json.fromBytes(resource("config-create-example.json"), Config.Spec.class));
    rejected(() -> SpecValidator.validateConfig(config(null, "eA==")), "Spec.Name", "must not be empty");
    rejected(() -> SpecValidator.validateConfig(config("a/b", "eA==")), "Spec.Name", "\"a/b\" is not a valid config name");
    rejected(() -> SpecValidator.validateConfig(config("server.conf", "")), "Spec.Data", "must be set");
    rejected(() -> SpecValidator.validateConfig(config("server.conf", "not base64!")), "Spec.Data", "not valid base64");
    rejected(() -> SpecValidator.validateConfig(config("server.conf",
        Base64Data.encode(new byte[SpecValidator.MAX_PAYLOAD_BYTES + 10]))), "Spec.Data",
        "a config must be smaller than 512000 bytes");
    rejected(() -> SpecValidator.validateConfig(null), "Spec", "a config spec is required");
  }

  // ---- helpers

  private static void rejected(Executable validation, String path, String text) {
    InvalidArgumentException e = assertThrows(InvalidArgumentException.class, validation);
    assertTrue(e.getMessage().contains(path + ": ") && e.getMessage().contains(text),
        () -> "want \"" + path + ": ..." + text + "...\" in: " + e.getMessage());
  }

  private static Node.Spec node(String role, String availability) {
    Node.Spec s = new Node.Spec();
    s.role = role;
    s.availability = availability;
    return s;
  }

  private interface SwarmChange {
    void apply(Swarm.Spec spec);
  }

  /** The documented swarm spec with one change. */
  private static Swarm.Spec swarm(SwarmChange change) throws IOException {
    Swarm.Spec s = Json.fromBytes(resource("swarm-sample.json"), Swarm.class).spec;
    s.caConfig.externalCAs = new ArrayList<>(s.caConfig.externalCAs);
    change.apply(s);
    return s;
  }

  private static Network.Spec network(String name, boolean attachable, boolean ingress) {
    Network.Spec s = new Network.Spec();
    s.name = name;
    s.attachable = attachable;
    s.ingress = ingress;
    return s;
  }

  private static Secret.Spec secret(String name, String data) {
    Secret.Spec s = new Secret.Spec();
    s.name = name;
    s.data = data;
    return s;
  }

  private static Config.Spec config(String name, String data) {
    Config.Spec s = new Config.Spec();
    s.name = name;
    s.data = data;
    return s;
  }
}
