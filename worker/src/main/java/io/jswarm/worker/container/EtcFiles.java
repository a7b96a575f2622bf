package io.jswarm.worker.container;

import io.jswarm.api.types.ContainerSpec;
import io.jswarm.worker.discovery.EmbeddedDns;
import io.jswarm.worker.network.Sandbox;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The {@code /etc} files jswarm writes for each container, bind-mounted over the image's. */
final class EtcFiles {
  private EtcFiles() {}

  /**
   * Writes {@code /etc/hosts}, {@code resolv.conf} and {@code hostname} into the container's directory
   * {@code state} and adds their bind mounts to {@code mounts}; returns the nameservers found (the spec's,
   * the sandbox's, else the host's). With {@code embeddedDns} resolv.conf names 127.0.0.11 (with
   * {@code options ndots:0} unless the spec sets ndots), as Docker writes it, and the nameservers become the
   * embedded DNS's upstreams.
   */
  static List<String> write(Path state, ContainerSpec spec, Sandbox sandbox, String hostname,
      List<Map<String, Object>> mounts, boolean embeddedDns) throws IOException {
    StringBuilder hosts = new StringBuilder("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n");
    for (String cidr : sandbox.addresses()) {
      hosts.append(cidr.replaceAll("/.*", "")).append('\t').append(hostname).append('\n');
    }
    for (String line : sandbox.hostsEntries()) {
      hosts.append(line).append('\n');
    }
    if (spec.hosts != null) {
      for (String line : spec.hosts) {
        hosts.append(line).append('\n');
      }
    }
    StringBuilder resolv = new StringBuilder();
    List<String> nameservers = new ArrayList<>();
    List<String> search = new ArrayList<>();
    List<String> options = new ArrayList<>();
    if (spec.dnsConfig != null) {
      if (spec.dnsConfig.nameservers != null) {
        nameservers.addAll(spec.dnsConfig.nameservers);
      }
      if (spec.dnsConfig.search != null) {
        search.addAll(spec.dnsConfig.search);
      }
      if (spec.dnsConfig.options != null) {
        options.addAll(spec.dnsConfig.options);
      }
    }
    if (nameservers.isEmpty()) {
      nameservers.addAll(sandbox.nameservers());
    }
    if (nameservers.isEmpty()) { // like Docker: the host's, without loopback servers the container cannot reach
      try {
        for (String line : Files.readAllLines(Path.of("/etc/resolv.conf"))) {
          String[] f = line.trim().split("\\s+");
          if (f.length >= 2 && f[0].equals("nameserver") && !f[1].startsWith("127.") && !f[1].equals("::1")) {
            nameservers.add(f[1]);
          } else if (f.length >= 2 && f[0].equals("search") && search.isEmpty()) {
            search.addAll(List.of(f).subList(1, f.length));
          }
        }
      } catch (IOException e) {
        // no host resolv.conf
      }
    }
    if (embeddedDns) {
      resolv.append("nameserver ").append(EmbeddedDns.DEFAULT_LISTEN.getAddress().getHostAddress()).append('\n');
      if (options.stream().noneMatch(o -> o.startsWith("ndots:"))) {
        options.add(0, "ndots:0");
      }
    } else {
      nameservers.forEach(n -> resolv.append("nameserver ").append(n).append('\n'));
    }
    if (!search.isEmpty()) {
      resolv.append("search ").append(String.join(" ", search)).append('\n');
    }
    if (!options.isEmpty()) {
      resolv.append("options ").append(String.join(" ", options)).append('\n');
    }
    Map<String, String> files = new LinkedHashMap<>();
    files.put("hosts", hosts.toString());
    files.put("resolv.conf", resolv.toString());
    files.put("hostname", hostname + "\n");
    for (Map.Entry<String, String> f : files.entrySet()) {
      Path p = state.resolve(f.getKey());
      Files.writeString(p, f.getValue());
      mounts.add(OciSpec.mount("/etc/" + f.getKey(), "bind", p.toString(), List.of("rbind", "rprivate")));
    }
    return List.copyOf(nameservers);
  }
}
