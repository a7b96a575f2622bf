package demo;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.InetAddress;

/**
 * The whole demo application: {@code /health} answers 200 "ok" (or 500 when the context parameter
 * {@code demo.healthy} is false, the broken v3), every other path answers "tomcat-demo VERSION on HOSTNAME".
 * The version comes from the context parameter {@code demo.version} in WEB-INF/web.xml, so the three WARs differ
 * only in that file.
 */
public final class DemoServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;

  @Override
  protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    String version = getServletContext().getInitParameter("demo.version");
    boolean healthy = !"false".equals(getServletContext().getInitParameter("demo.healthy"));
    resp.setContentType("text/plain;charset=UTF-8");
    if ("/health".equals(req.getServletPath())) {
      resp.setStatus(healthy ? 200 : 500);
      resp.getWriter().println(healthy ? "ok" : "unhealthy");
      return;
    }
    resp.getWriter().println("tomcat-demo " + version + " on " + hostname());
  }

  private static String hostname() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      String h = System.getenv("HOSTNAME");
      return h == null ? "?" : h;
    }
  }
}
