package io.jswarm.api.json;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import com.fasterxml.jackson.annotation.PropertyAccessor;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The one JSON codec for Docker-shaped objects: public fields in Java camelCase map to Docker's PascalCase
 * names ({@code createdAt} -> {@code CreatedAt}); odd names such as {@code ID} are annotated on the field.
 * Null fields are left out, as Go's {@code omitempty} does. Unknown fields are ignored so that newer clients
 * still work; round-trip tests make sure nothing Docker documents is dropped.
 *
 * <p>Two Go habits are copied so that the daemon reads and writes what Docker clients expect: field names are
 * matched case-insensitively on input (Go's {@code encoding/json} does, so {@code "HealthCheck"} and
 * {@code "Healthcheck"} both work), and a floating-point number with no fraction is written without one
 * ({@code 0}, not {@code 0.0}).
 */
public final class Json {
  private static final ObjectMapper MAPPER = newMapper(true);
  /**
   * The mappers only some callers need, each made the first time it is used: a client verb that binds (a cold JVM)
   * makes {@link #MAPPER} alone (docs/footprint.md).
   */
  private static final class Exact {
    /**
     * {@link Json#MAPPER} with field names matched exactly: for {@link #copy} and the store's log ({@link
     * #ownMapper}), which read back bytes {@link Json#MAPPER} wrote (so the names are exactly its own).
     * Case-insensitive matching lower-cases every field name read (a {@code toLowerCase} per field, 4 % of the
     * daemon's CPU while a 100,000-replica service was created).
     */
    static final ObjectMapper MAPPER = newMapper(false);
  }

  private static final class Requests {
    /**
     * The mapper for what clients send: as {@link Json#MAPPER}, and a {@code null} inside a list or map ({@code
     * "Config":[null]}) is refused naming the field rather than handed to code that expects an object.
     */
    static final ObjectMapper MAPPER = Json.MAPPER.copy()
        .setDefaultSetterInfo(JsonSetter.Value.forContentNulls(Nulls.FAIL));
  }

  private static final class ApiWriter {
    static final com.fasterxml.jackson.databind.ObjectWriter WRITER = MAPPER.writerWithView(Api.class);
  }

  private Json() {}

  /** A mapper configured for Docker's JSON; shared and thread-safe. */
  public static ObjectMapper mapper() {
    return MAPPER;
  }

  /**
   * {@link #mapper()} with field names matched exactly, for reading only what {@link #mapper()} itself wrote (the
   * store's log entries): the same binding without a lower-cased copy of every field name. Never for what a client
   * or another program sent ({@code "replicas"} would be dropped).
   */
  public static ObjectMapper ownMapper() {
    return Exact.MAPPER;
  }

  private static ObjectMapper newMapper(boolean caseInsensitive) {
    SimpleModule goNumbers = new SimpleModule("GoNumbers");
    goNumbers.addSerializer(Double.class, new GoFloatSerializer());
    goNumbers.addSerializer(double.class, new GoFloatSerializer());
    return JsonMapper.builder()
        .propertyNamingStrategy(PropertyNamingStrategies.UPPER_CAMEL_CASE)
        .visibility(PropertyAccessor.ALL, JsonAutoDetect.Visibility.NONE)
        .visibility(PropertyAccessor.FIELD, JsonAutoDetect.Visibility.PUBLIC_ONLY)
        .visibility(PropertyAccessor.CREATOR, JsonAutoDetect.Visibility.ANY)
        .defaultPropertyInclusion(JsonInclude.Value.construct(JsonInclude.Include.NON_NULL, JsonInclude.Include.NON_NULL))
        .configure(MapperFeature.ACCEPT_CASE_INSENSITIVE_PROPERTIES, caseInsensitive)
        .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
        .addModule(goNumbers)
        .build();
  }

  /**
   * The view of a field the cluster keeps but never shows ({@code @JsonView(Json.Internal.class)}): stored and sent
   * between nodes like any field ({@link #toBytes}), left out of every API answer ({@link #toApiBytes}). For
   * credentials such as a service's registry auth.
   */
  public static final class Internal {
    private Internal() {}
  }

  /** The view of API answers: every field but the {@link Internal} ones. */
  public static final class Api {
    private Api() {}
  }

  /** {@code o} as an API answer: without the fields of the {@link Internal} view. */
  public static byte[] toApiBytes(Object o) {
    try {
      return ApiWriter.WRITER.writeValueAsBytes(o);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot encode " + o.getClass().getSimpleName() + " as JSON", e);
    }
  }

  public static byte[] toBytes(Object o) {
    try {
      return MAPPER.writeValueAsBytes(o);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot encode " + o.getClass().getSimpleName() + " as JSON", e);
    }
  }

  public static String toString(Object o) {
    try {
      return MAPPER.writeValueAsString(o);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot encode " + o.getClass().getSimpleName() + " as JSON", e);
    }
  }

  public static <T> T fromBytes(byte[] b, Class<T> type) {
    try {
      return MAPPER.readValue(b, type);
    } catch (IOException e) {
      throw new UncheckedIOException("invalid JSON for " + type.getSimpleName() + ": " + e.getMessage(), e);
    }
  }

  /**
   * Decodes a request body the client sent, for the API: anything that is not a {@code type} is an
   * {@link InvalidArgumentException} (HTTP 400) whose message names the field by its JSON path and says what it
   * takes ({@code request body: Mode.Replicated.Replicas: expected an integer, got "abc"}); {@code null} and an
   * empty body are refused too. Never a stack trace or a Java type name for the user to decode.
   *
   * @param what the body's name in messages ("request body", "X-Registry-Auth header", ...)
   */
  public static <T> T fromRequest(byte[] b, Class<T> type, String what) {
    return RequestDecoding.decode(Requests.MAPPER, b, type, what);
  }

  public static <T> T fromString(String s, Class<T> type) {
    try {
      return MAPPER.readValue(s, type);
    } catch (IOException e) {
      throw new UncheckedIOException("invalid JSON for " + type.getSimpleName() + ": " + e.getMessage(), e);
    }
  }

  /** A deep copy made through the codec, so it copies exactly what is persisted. */
  @SuppressWarnings("unchecked")
  public static <T> T copy(T o) {
    if (o == null) {
      return null;
    }
    try {
      return (T) Exact.MAPPER.readValue(toBytes(o), o.getClass());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot copy " + o.getClass().getSimpleName() + ": " + e.getMessage(), e);
    }
  }

  /** Writes whole floating-point values as integers, as Go's encoder does ({@code 0} rather than {@code 0.0}). */
  private static final class GoFloatSerializer extends StdSerializer<Double> {
    private static final double LARGEST_EXACT = 1e15;

    GoFloatSerializer() {
      super(Double.class);
    }

    @Override
    public void serialize(Double value, JsonGenerator gen, SerializerProvider provider) throws IOException {
      double d = value;
      if (d == Math.rint(d) && Math.abs(d) < LARGEST_EXACT) {
        gen.writeNumber((long) d);
      } else {
        gen.writeNumber(d);
      }
    }
  }
}
