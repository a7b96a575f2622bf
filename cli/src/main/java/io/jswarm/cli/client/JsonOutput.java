package io.jswarm.cli.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.ObjectWriter;
import io.jswarm.api.json.Json;
import java.util.List;

/**
 * JSON the way the docker CLI prints it: {@code --format json} is one compact object per line; {@code inspect} is an
 * array indented by four spaces with {@code "Key": value} pairs (Go's {@code json.Indent}).
 */
public final class JsonOutput {
  private static final ObjectWriter COMPACT = Json.mapper().writer();
  private static final ObjectWriter INDENTED = Json.mapper().writer(new DefaultPrettyPrinter(
      Separators.createDefaultInstance()
          .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
          .withObjectEmptySeparator("")
          .withArrayEmptySeparator(""))
      .withObjectIndenter(new DefaultIndenter("    ", "\n"))
      .withArrayIndenter(new DefaultIndenter("    ", "\n")));

  private JsonOutput() {}

  /** One compact JSON object per line. */
  public static String lines(List<?> objects) {
    StringBuilder out = new StringBuilder();
    for (Object o : objects) {
      out.append(write(COMPACT, o)).append('\n');
    }
    return out.toString();
  }

  /** An indented JSON array, as {@code docker ... inspect} prints; ends with a newline. */
  public static String inspect(List<?> objects) {
    return write(INDENTED, objects) + "\n";
  }

  private static String write(ObjectWriter w, Object o) {
    try {
      return w.writeValueAsString(o);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON: " + e.getMessage(), e);
    }
  }
}
