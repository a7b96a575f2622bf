package io.jswarm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.annotation.Annotation;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@link FieldAnnotations} reads from the class files what reflection gives: for every command {@link QuickFlags}
 * parses (the daemon's and the client verbs', their superclasses and mixins), every picocli annotation of every
 * field, each member as reflection reads it, a member the class file leaves out being the annotation's default.
 */
class FieldAnnotationsTest {
  @Test
  void everyPicocliMemberOfEveryQuickCommandReadsAsReflectionReadsIt() throws Exception {
    List<Object> commands = new ArrayList<>(List.of(new DaemonCommand()));
    for (String verb : List.of("service create", "service update", "service logs", "node update", "node rm",
        "network create", "network rm", "volume create", "volume rm", "events x")) {
      String[] w = verb.split(" ");
      Object c = io.jswarm.cli.client.QuickVerbs.annotated(w[0], w[1]);
      assertTrue(c != null, verb);
      commands.add(c);
    }
    int members = 0;
    List<Object> todo = new ArrayList<>(commands);
    while (!todo.isEmpty()) {
      Object o = todo.remove(0);
      for (Class<?> c = o.getClass(); c != Object.class; c = c.getSuperclass()) {
        Map<String, List<FieldAnnotations.Annotation>> read = FieldAnnotations.of(c);
        for (Field f : c.getDeclaredFields()) {
          Annotation[] reflected = f.getDeclaredAnnotations();
          List<FieldAnnotations.Annotation> ours = read.getOrDefault(f.getName(), List.of());
          assertEquals(reflected.length, ours.size(), c.getName() + "." + f.getName());
          for (int i = 0; i < reflected.length; i++) {
            Annotation a = reflected[i];
            FieldAnnotations.Annotation b = ours.get(i);
            assertEquals(a.annotationType().getName(), b.type(), f.toString());
            for (Method m : a.annotationType().getDeclaredMethods()) {
              Object expected = m.invoke(a);
              Object given = b.members().get(m.getName());
              assertEquals(plain(expected), given == null ? plain(m.getDefaultValue()) : given,
                  f + " " + m.getName());
              members++;
            }
            if (a instanceof CommandLine.Mixin) {
              f.setAccessible(true);
              todo.add(f.get(o));
            }
          }
        }
      }
    }
    assertTrue(members > 1000, "compared " + members + " members");
  }

  /**
   * The build's table ({@link ClientJar}) reads back what the class files give, for every class QuickFlags reads and
   * for a member of every type; with {@link ClientResources#PROPERTY} set, {@code of} answers a class the table has from
   * the table, and one it lacks from its class file.
   */
  @Test
  void theTableReadsBackWhatTheClassFilesGiveAndIsReadWhenNamed() throws Exception {
    List<Class<?>> classes = new ArrayList<>();
    List<Object> todo = new ArrayList<>(List.of(new DaemonCommand()));
    for (String verb : List.of("service create", "service update", "service logs", "node update", "events x")) {
      String[] w = verb.split(" ");
      todo.add(io.jswarm.cli.client.QuickVerbs.annotated(w[0], w[1]));
    }
    while (!todo.isEmpty()) {
      Object o = todo.remove(0);
      for (Class<?> c = o.getClass(); c != Object.class; c = c.getSuperclass()) {
        classes.add(c);
        for (Field f : c.getDeclaredFields()) {
          if (f.isAnnotationPresent(CommandLine.Mixin.class)) {
            f.setAccessible(true);
            todo.add(f.get(o));
          }
        }
      }
    }
    assertTrue(classes.size() > 10, classes.toString());
    for (Class<?> c : classes) {
      Map<String, List<FieldAnnotations.Annotation>> read = FieldAnnotations.of(c);
      assertEquals(read, roundTrip(read), c.getName());
    }
    Map<String, Object> members = new java.util.HashMap<>(Map.of("s", "text", "z", true, "i", 7, "j", 1L << 40,
        "f", 1.5f, "d", -2.25, "b", (byte) 3, "c", 'x', "h", (short) 9));
    members.put("a", new FieldAnnotations.Annotation("p.Nested", Map.of("names", List.of("-a", "--all"))));
    members.put("e", List.of());
    Map<String, List<FieldAnnotations.Annotation>> every = Map.of("field",
        List.of(new FieldAnnotations.Annotation("p.Every", members)));
    assertEquals(every, roundTrip(every));

    java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("flags");
    Class<?> inTable = classes.get(0);
    Class<?> notInTable = classes.get(1);
    try (java.io.DataOutputStream out = new java.io.DataOutputStream(
        java.nio.file.Files.newOutputStream(dir.resolve(FieldAnnotations.tableEntry(inTable))))) {
      FieldAnnotations.writeTable(every, out);
    }
    System.setProperty(ClientResources.PROPERTY, dir.toString());
    try {
      assertEquals(every, FieldAnnotations.of(inTable));
      System.clearProperty(ClientResources.PROPERTY);
      Map<String, List<FieldAnnotations.Annotation>> fromClassFile = FieldAnnotations.of(notInTable);
      System.setProperty(ClientResources.PROPERTY, dir.toString());
      assertEquals(fromClassFile, FieldAnnotations.of(notInTable));
    } finally {
      System.clearProperty(ClientResources.PROPERTY);
      java.nio.file.Files.delete(dir.resolve(FieldAnnotations.tableEntry(inTable)));
      java.nio.file.Files.delete(dir);
    }
  }

  private static Map<String, List<FieldAnnotations.Annotation>> roundTrip(
      Map<String, List<FieldAnnotations.Annotation>> fields) throws java.io.IOException {
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    FieldAnnotations.writeTable(fields, new java.io.DataOutputStream(bytes));
    return FieldAnnotations.readTable(new java.io.DataInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray())));
  }

  /** The defaults QuickFlags takes for a member the class file leaves out are picocli's. */
  @Test
  void quickFlagsDefaultsArePicocliDefaults() throws Exception {
    for (Class<?> type : List.of(CommandLine.Option.class, CommandLine.Parameters.class)) {
      for (String member : List.of("arity", "split", "fallbackValue", "index")) {
        if (has(type, member)) {
          assertEquals("", type.getMethod(member).getDefaultValue(), type + " " + member);
        }
      }
      assertEquals("__no_default_value__", type.getMethod("defaultValue").getDefaultValue());
      for (String member : List.of("negatable", "interactive", "usageHelp", "versionHelp", "required")) {
        if (has(type, member)) {
          assertEquals(false, type.getMethod(member).getDefaultValue(), type + " " + member);
        }
      }
      for (String member : List.of("type", "converter")) {
        assertEquals(0, java.lang.reflect.Array.getLength(type.getMethod(member).getDefaultValue()), type + " " + member);
      }
    }
  }

  private static boolean has(Class<?> type, String member) {
    try {
      type.getMethod(member);
      return true;
    } catch (NoSuchMethodException e) {
      return false;
    }
  }

  /** A reflected member as FieldAnnotations gives it: classes by name, arrays as lists, enums as Type.NAME. */
  private static Object plain(Object v) {
    if (v instanceof Class<?> c) {
      return c.getName();
    }
    if (v instanceof Enum<?> e) {
      return e.getDeclaringClass().getName() + "." + e.name();
    }
    if (v != null && v.getClass().isArray()) {
      List<Object> out = new ArrayList<>();
      for (int i = 0; i < java.lang.reflect.Array.getLength(v); i++) {
        out.add(plain(java.lang.reflect.Array.get(v, i)));
      }
      return out;
    }
    if (v instanceof Annotation) {
      throw new AssertionError("a nested annotation member: compare it member by member");
    }
    return v;
  }
}
