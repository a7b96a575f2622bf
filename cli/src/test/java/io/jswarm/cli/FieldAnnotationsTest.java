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
