package io.jswarm.cli.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code service inspect --pretty} printed from the daemon's JSON tree ({@link PrettyInspect#service}) gives what it
 * gave when the tree was bound to {@code Service} first: the expected texts below are that version's output for the
 * same documents (every block, docker's defaults for what is unset, null and empty members, a network named by id).
 */
class PrettyInspectTest {
  private static void check(String json, String expected) {
    assertEquals(expected, PrettyInspect.service(JsonTrees.parse(json.replace('\'', '"').getBytes(StandardCharsets.UTF_8)),
        Map.of("n1id", "front")));
  }

  @Test
  void serviceFromTheTreeAsBindingPrintedIt() {
    check("{'ID':'c','Spec':{'Name':'job','Mode':{'ReplicatedJob':{'MaxConcurrent':2}},'TaskTemplate':{'Contain"
        + "erSpec':{'Image':'busybox'},'Placement':{},'Resources':{'Reservations':{},'Limits':{'MemoryBytes':10"
        + "73741824}},'RestartPolicy':{}},'UpdateConfig':{'Parallelism':0,'MaxFailureRatio':1}},'UpdateStatus':"
        + "{}}",
        "\n"
        + "ID:\t\tc\n"
        + "Name:\t\tjob\n"
        + "Service Mode:\treplicated job\n"
        + "UpdateStatus:\n"
        + " State:\t\t\n"
        + " Message:\t\n"
        + "Placement:\n"
        + "UpdateConfig:\n"
        + " Parallelism:\t0\n"
        + " On failure:\tpause\n"
        + " Monitoring Period: 5s\n"
        + " Max failure ratio: 1\n"
        + " Update order:    stop-first\n"
        + "ContainerSpec:\n"
        + " Image:\t\tbusybox\n"
        + "Resources:\n"
        + " Limits:\n"
        + "  Memory:\t1GiB\n"
        + "RestartPolicy:\n"
        + " Condition:\t\n"
        + "Endpoint Mode:\tvip\n");
    check("{'ID':'b','Spec':{'Name':'web','Labels':{'z':'1','a':'','m':'x=y'},'Mode':{'Global':{}},'TaskTemplat"
        + "e':{'ContainerSpec':{'Image':'nginx:1','Args':['-g','daemon off;'],'Env':['A=1','B=two words'],'Secr"
        + "ets':[{'SecretName':'db','File':{'Name':'dbfile'}},{'SecretName':'nofile'},{'File':{}}],'Configs':[{"
        + "'ConfigName':'c1','File':{'Name':'/etc/c'}}]},'Placement':{'Constraints':['node.role==manager','node"
        + ".labels.a!=b'],'Preferences':[{'Spread':{'SpreadDescriptor':'node.labels.dc'}},{},{'Spread':{}}],'Ma"
        + "xReplicas':3,'Strategy':'binpack','RebalanceOnJoin':true},'Resources':{'Reservations':{'NanoCPUs':25"
        + "0000000,'MemoryBytes':104857600},'Limits':{'NanoCPUs':1500000000}},'RestartPolicy':{'Condition':'on-"
        + "failure','Delay':5000000000,'MaxAttempts':3,'Window':60000000000},'Networks':[{'Target':'n1id'},{'Ta"
        + "rget':'unknown'},{}]},'UpdateConfig':{'Parallelism':2,'Delay':1500000000,'FailureAction':'rollback',"
        + "'Monitor':10000000000,'MaxFailureRatio':0.25,'Order':'start-first'},'RollbackConfig':{},'EndpointSpe"
        + "c':{'Mode':'dnsrr','Ports':[{'Protocol':'udp','TargetPort':53,'PublishedPort':5353,'PublishMode':'ho"
        + "st'},{}]}},'UpdateStatus':{'State':'rollback_started','StartedAt':'2026-01-01T00:00:00Z','CompletedA"
        + "t':'2026-01-01T00:01:00Z','Message':'m','Canary':2},'Endpoint':{'Ports':[]}}",
        "\n"
        + "ID:\t\tb\n"
        + "Name:\t\tweb\n"
        + "Labels:\n"
        + " a\n"
        + " m=x=y\n"
        + " z=1\n"
        + "Service Mode:\tGlobal\n"
        + "UpdateStatus:\n"
        + " State:\t\trollback_started\n"
        + " Started:\t2026-01-01T00:00:00Z\n"
        + " Completed:\t2026-01-01T00:01:00Z\n"
        + " Message:\tm\n"
        + " Canary:\t2\n"
        + "Placement:\n"
        + " Constraints:\t[node.role==manager, node.labels.a!=b]\n"
        + " Preferences:   [Spread=node.labels.dc, , Spread=null]\n"
        + " Max Replicas Per Node:   3\n"
        + " Strategy:\tbinpack\n"
        + " Rebalance on join:\ttrue\n"
        + "UpdateConfig:\n"
        + " Parallelism:\t2\n"
        + " Delay:\t\t1.5s\n"
        + " On failure:\trollback\n"
        + " Monitoring Period: 10s\n"
        + " Max failure ratio: 0.25\n"
        + " Update order:    start-first\n"
        + "RollbackConfig:\n"
        + " Parallelism:\t1\n"
        + " On failure:\tpause\n"
        + " Monitoring Period: 5s\n"
        + " Max failure ratio: 0\n"
        + " Rollback order:    stop-first\n"
        + "ContainerSpec:\n"
        + " Image:\t\tnginx:1\n"
        + " Args:\t\t-g daemon off; \n"
        + " Env:\t\tA=1 B=two words \n"
        + "Secrets:\n"
        + " Target:\tdbfile\n"
        + "  Source:\tdb\n"
        + " Target:\t\n"
        + "  Source:\tnofile\n"
        + " Target:\tnull\n"
        + "  Source:\t\n"
        + "Configs:\n"
        + " Target:\t/etc/c\n"
        + "  Source:\tc1\n"
        + "Resources:\n"
        + " Reservations:\n"
        + "  CPU:\t\t0.25\n"
        + "  Memory:\t100MiB\n"
        + " Limits:\n"
        + "  CPU:\t\t1.5\n"
        + "RestartPolicy:\n"
        + " Condition:\ton-failure\n"
        + " Delay:\t\t5s\n"
        + " Max Attempts:\t3\n"
        + " Window:\t1m0s\n"
        + "Networks: front unknown null\n"
        + "Endpoint Mode:\tdnsrr\n");
    check("{'ID':'d','Spec':{'Name':'g','Mode':{'GlobalJob':{}},'TaskTemplate':{'ContainerSpec':{'Image':'x','A"
        + "rgs':[],'Env':[]},'Networks':[]},'EndpointSpec':{'Ports':[{'TargetPort':80}]}},'Endpoint':{'Ports':["
        + "{'Protocol':'tcp','TargetPort':80,'PublishedPort':30000,'PublishMode':'ingress'}]}}",
        "\n"
        + "ID:\t\td\n"
        + "Name:\t\tg\n"
        + "Service Mode:\tglobal job\n"
        + "Placement:\n"
        + "ContainerSpec:\n"
        + " Image:\t\tx\n"
        + "Endpoint Mode:\tvip\n"
        + "Ports:\n"
        + " PublishedPort = 30000\n"
        + "  Protocol = tcp\n"
        + "  TargetPort = 80\n"
        + "  PublishMode = ingress\n");
  }

  /**
   * {@code node inspect --pretty} from the tree ({@link PrettyInspect#node}) prints what binding to {@code Node} printed:
   * the expected texts are that version's output (nothing set, every block, nulls, an empty manager status).
   */
  @Test
  void nodeFromTheTreeAsBindingPrintedIt() {
    checkNode("{}",
        "ID:\t\t\tnull\n"
        + "Hostname:              \t\n"
        + "Joined at:             \t\n"
        + "Status:\n"
        + " State:\t\t\t\n"
        + " Availability:         \t\n"
        + "Platform:\n"
        + " Operating System:\t\n"
        + " Architecture:\t\t\n"
        + "Resources:\n"
        + " CPUs:\t\t\t0\n"
        + " Memory:\t\t0B\n"
        + "Engine Version:\t\t\n");
    checkNode("{'ID':'n1','CreatedAt':'2026-01-01T00:00:00Z','Spec':{'Name':'named','Labels':{'z':'1','a':'','m':'x"
        + "=y'},'Role':'manager','Availability':'drain'},'Description':{'Hostname':'h1','Platform':{'Architectu"
        + "re':'x86_64','OS':'linux'},'Resources':{'NanoCPUs':1500000000,'MemoryBytes':2147483648},'Engine':{'E"
        + "ngineVersion':'28.0','Labels':{'b':'2','a':''},'MissingFeatures':{'BlkioWeight':'no bfq','Zeta':'z'}"
        + "}},'Status':{'State':'down','Message':'heartbeat failure','Addr':'10.0.0.2'},'ManagerStatus':{'Leade"
        + "r':true,'Reachability':'reachable','Addr':'10.0.0.2:2377'}}",
        "ID:\t\t\tn1\n"
        + "Name:\t\t\tnamed\n"
        + "Labels:\n"
        + " - a\n"
        + " - m=x=y\n"
        + " - z=1\n"
        + "Hostname:              \th1\n"
        + "Joined at:             \t2026-01-01T00:00:00Z\n"
        + "Status:\n"
        + " State:\t\t\tDown\n"
        + " Message:              \theartbeat failure\n"
        + " Availability:         \tDrain\n"
        + " Address:\t\t10.0.0.2\n"
        + "Manager Status:\n"
        + " Address:\t\t10.0.0.2:2377\n"
        + " Raft Status:\t\tReachable\n"
        + " Leader:\t\tYes\n"
        + "Platform:\n"
        + " Operating System:\tlinux\n"
        + " Architecture:\t\tx86_64\n"
        + "Resources:\n"
        + " CPUs:\t\t\t1.5\n"
        + " Memory:\t\t2GiB\n"
        + "Engine Version:\t\t28.0\n"
        + "Engine Labels:\n"
        + " - a\n"
        + " - b=2\n"
        + "Missing Features:\n"
        + " - BlkioWeight: no bfq\n"
        + " - Zeta: z\n");
    checkNode("{'ID':null,'Spec':null,'Description':{'Platform':null,'Resources':{'NanoCPUs':250000000},'Engine':nu"
        + "ll},'Status':{'State':'unknown'},'ManagerStatus':{'Leader':false,'Reachability':'unreachable'}}",
        "ID:\t\t\tnull\n"
        + "Hostname:              \t\n"
        + "Joined at:             \t\n"
        + "Status:\n"
        + " State:\t\t\tUnknown\n"
        + " Availability:         \t\n"
        + "Manager Status:\n"
        + " Address:\t\t\n"
        + " Raft Status:\t\tUnreachable\n"
        + " Leader:\t\tNo\n"
        + "Platform:\n"
        + " Operating System:\t\n"
        + " Architecture:\t\t\n"
        + "Resources:\n"
        + " CPUs:\t\t\t0.25\n"
        + " Memory:\t\t0B\n"
        + "Engine Version:\t\t\n");
    checkNode("{'ID':'n3','Description':{'Resources':{'MemoryBytes':1023},'Engine':{'EngineVersion':'x','Labels':nu"
        + "ll}},'ManagerStatus':{}}",
        "ID:\t\t\tn3\n"
        + "Hostname:              \t\n"
        + "Joined at:             \t\n"
        + "Status:\n"
        + " State:\t\t\t\n"
        + " Availability:         \t\n"
        + "Manager Status:\n"
        + " Address:\t\t\n"
        + " Raft Status:\t\t\n"
        + " Leader:\t\tNo\n"
        + "Platform:\n"
        + " Operating System:\t\n"
        + " Architecture:\t\t\n"
        + "Resources:\n"
        + " CPUs:\t\t\t0\n"
        + " Memory:\t\t1023B\n"
        + "Engine Version:\t\tx\n");
  }

  private static void checkNode(String json, String expected) {
    assertEquals(expected, PrettyInspect.node(JsonTrees.parse(json.replace('\'', '"').getBytes(StandardCharsets.UTF_8))));
  }
}
