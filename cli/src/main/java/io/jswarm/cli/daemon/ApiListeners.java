package io.jswarm.cli.daemon;

import io.jswarm.api.errors.InvalidArgumentException;
import io.jswarm.transport.http.HttpServer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The daemon's {@code -H} values ({@code unix:///path}, {@code tcp://addr:port}) as HTTP listeners. */
final class ApiListeners {
  private ApiListeners() {}

  static List<HttpServer.Listener> parse(List<String> hosts) {
    List<HttpServer.Listener> out = new ArrayList<>();
    for (String h : hosts) {
      if (h.startsWith("unix://")) {
        String path = h.substring("unix://".length());
        if (path.isEmpty() || !path.startsWith("/")) {
          throw new InvalidArgumentException("-H " + h + ": a unix socket needs an absolute path, e.g. unix:///run/jswarm/jswarm.sock");
        }
        out.add(new HttpServer.Unix(Path.of(path)));
      } else if (h.startsWith("tcp://")) {
        HostPort hp = HostPort.parse("-H " + h, h.substring("tcp://".length()), "127.0.0.1", 2375);
        out.add(new HttpServer.Tcp(hp.host(), hp.port()));
      } else {
        throw new InvalidArgumentException("-H " + h + ": expected unix:///path or tcp://addr:port");
      }
    }
    return out;
  }
}
