package io.jswarm.worker.network;

import io.jswarm.api.types.PortConfig;
import java.nio.file.Path;
import java.util.List;

/**
 * A task's network namespace (a bind-mounted nsfs file), the addresses its interfaces got (CIDR form), the
 * lines to add to its {@code /etc/hosts}, its nameservers, and the host-mode ports published for it (with the
 * published port filled in when the spec left it to the node).
 */
public record Sandbox(Path netns, List<String> addresses, List<String> hostsEntries, List<String> nameservers,
    List<PortConfig> publishedPorts) {}
