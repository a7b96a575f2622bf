package io.jswarm.cli;

import io.jswarm.cli.FieldAnnotations.Annotation;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.ParameterizedType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * A command's options parsed without picocli, from the command's own {@link Option} and {@link Parameters} fields
 * (its superclasses' and its {@link CommandLine.Mixin}s' included): the annotations stay the one definition of the
 * options (picocli reads them for {@code --help}, the usage and its errors), this reads their names, default values
 * and converters. picocli's model of a command is ~170 classes of Java 5 bytecode that a class archive cannot hold,
 * built by reflection, interpreted: a daemon that runs for months kept them all in its metaspace for one parse, and
 * {@code service create}'s hundred options cost a cold client verb more than its whole request (docs/footprint.md).
 * The annotations are read from the class files ({@link FieldAnnotations}), not through reflection, whose annotation
 * objects are proxies spun at run time.
 *
 * <p>Only the plain forms are taken: {@code --name value}, {@code --name=value}, {@code -H value}, a boolean flag
 * given alone, a list option repeated, each single option at most once, values that neither are empty nor start with
 * {@code -} or {@code @}, whole decimal numbers without a leading zero (and a fraction for a {@code Double}),
 * positional words where a {@link Parameters} field takes them. Anything else ({@code --help}, a typo, a word no
 * field takes, a clustered or attached short option, a value picocli might read otherwise, an option attribute this
 * class does not follow) makes {@link #parse} return false, and picocli then parses the command line with its usage
 * and messages. So what this accepts, it fills exactly as picocli would ({@code QuickFlagsTest} compares both for the
 * daemon, {@code QuickVerbsTest} runs the client verbs both ways).
 */
public final class QuickFlags {
  private QuickFlags() {}

  /** picocli's marker for an option without a default value ({@code Option.defaultValue}'s own default). */
  private static final String NO_DEFAULT = "__no_default_value__";

  private static final String OPTION = "picocli.CommandLine$Option";
  private static final String PARAMETERS = "picocli.CommandLine$Parameters";
  private static final String MIXIN = "picocli.CommandLine$Mixin";
  private static final String SPEC = "picocli.CommandLine$Spec";

  /**
   * An annotated field, the object (the command or one of its mixins) that holds it, and its {@link Option} or
   * {@link Parameters} annotation's members.
   */
  private record Slot(Object holder, Field field, Annotation annotation) {}

  /** A {@link Parameters} field: the positional words from {@code from} to {@code to}, at least {@code min} of them. */
  private record Positional(Slot slot, int from, int to, int min) {}

  /** The same as {@link #parse(Object, List, boolean)} for a command that reads options after positional words. */
  static boolean parse(Object command, List<String> args) {
    return parse(command, args, false);
  }

  /**
   * Fills {@code command}'s option and positional fields from {@code args} (the words after the command's name) and
   * the options' default values; false when picocli must parse them (then {@code command} is to be dropped).
   * {@code stopAtPositional}: every word after the first positional one is positional (picocli's setting of that name).
   */
  public static boolean parse(Object command, List<String> args, boolean stopAtPositional) {
    Map<String, Slot> byName = new HashMap<>();
    List<Slot> options = new ArrayList<>();
    List<Positional> positionals = new ArrayList<>();
    try {
      if (!collect(command, byName, options, positionals)) {
        return false;
      }
      Set<Field> given = new HashSet<>();
      List<String> words = new ArrayList<>();
      for (int i = 0; i < args.size(); i++) {
        String word = args.get(i);
        if (word.isEmpty() || word.startsWith("@")) {
          return false; // an @file (picocli expands them anywhere), or a word picocli may read otherwise
        }
        if (!word.startsWith("-") || stopAtPositional && !words.isEmpty()) {
          words.add(word);
          continue;
        }
        String name = word;
        String value = null;
        int eq = word.indexOf('=');
        if (word.startsWith("--") && eq > 2) {
          name = word.substring(0, eq);
          value = word.substring(eq + 1);
        }
        Slot s = byName.get(name);
        if (s == null) {
          return false; // --help, a typo, --, a clustered or attached short option: picocli's
        }
        Field f = s.field();
        Annotation o = s.annotation();
        boolean list = f.getType() == List.class;
        if (!given.add(f) && !list) {
          return false; // "should be specified only once"
        }
        if (!followed(f, o)) {
          return false;
        }
        if (f.getType() == boolean.class || f.getType() == Boolean.class) {
          if (value != null || (!arity(o).isEmpty() && i + 1 < args.size() && bool(args.get(i + 1)))) {
            return false; // --tls=true, -d false: a value picocli reads
          }
          f.set(s.holder(), f.getType() == boolean.class ? (Object) true : Boolean.TRUE);
          continue;
        }
        if (value == null) {
          if (i + 1 == args.size()) {
            return false; // "Missing required parameter"
          }
          value = args.get(++i);
        }
        if (value.isEmpty() || value.startsWith("-") || value.startsWith("@")) {
          return false;
        }
        if (!set(s, value, list)) {
          return false;
        }
      }
      for (Slot s : options) {
        Annotation o = s.annotation();
        if (given.contains(s.field())) {
          continue;
        }
        if (o.bool("required") || !defaultValue(o).equals(NO_DEFAULT) && !(followed(s.field(), o)
            && set(s, defaultValue(o), false))) {
          return false;
        }
      }
      return positionals(positionals, words);
    } catch (IllegalAccessException | IOException | RuntimeException e) {
      return false;
    }
  }

  /** Collects the annotated fields of {@code o} (its class and superclasses, then its mixins); false for others. */
  private static boolean collect(Object o, Map<String, Slot> byName, List<Slot> options, List<Positional> positionals)
      throws IllegalAccessException, IOException {
    for (Class<?> c = o.getClass(); c != Object.class; c = c.getSuperclass()) {
      Map<String, List<Annotation>> annotated = FieldAnnotations.of(c);
      for (Field f : c.getDeclaredFields()) {
        for (Annotation a : annotated.getOrDefault(f.getName(), List.of())) {
          String type = a.type();
          if (!type.startsWith("picocli.")) {
            continue;
          }
          f.setAccessible(true);
          Slot s = new Slot(o, f, a);
          if (type.equals(OPTION)) {
            options.add(s);
            for (Object name : a.array("names")) {
              if (byName.put((String) name, s) != null) {
                return false;
              }
            }
          } else if (type.equals(PARAMETERS)) {
            Positional p = positional(s, a);
            if (p == null) {
              return false;
            }
            positionals.add(p);
          } else if (type.equals(MIXIN)) {
            Object mixin = f.get(o);
            if (mixin == null || !collect(mixin, byName, options, positionals)) {
              return false;
            }
          } else if (!type.equals(SPEC)) {
            return false; // an argument group, unmatched words, a parent command: picocli's
          }
        }
      }
    }
    return true;
  }

  /** A {@link Parameters} field this class fills (a string, or a list of strings), or null. */
  private static Positional positional(Slot s, Annotation p) {
    if (!p.string("split", "").isEmpty() || !p.array("converter").isEmpty() || !p.array("type").isEmpty()
        || !defaultValue(p).equals(NO_DEFAULT) || p.bool("interactive")) {
      return null;
    }
    String index = p.string("index", "");
    String arity = arity(p);
    if (strings(s.field())) {
      int from = index.isEmpty() ? 0 : index.endsWith("..*") ? number(index.substring(0, index.length() - 3)) : -1;
      int min = arity.isEmpty() || arity.equals("0..*") ? 0 : arity.equals("1..*") ? 1 : -1;
      return from < 0 || min < 0 ? null : new Positional(s, from, Integer.MAX_VALUE, min);
    }
    if (s.field().getType() != String.class) {
      return null;
    }
    int at = index.isEmpty() ? 0 : number(index);
    int min = arity.isEmpty() || arity.equals("1") ? 1 : arity.equals("0..1") ? 0 : -1;
    return at < 0 || min < 0 ? null : new Positional(s, at, at, min);
  }

  /** Gives each positional word to the field whose range holds it; false when one has none, or one wants more. */
  private static boolean positionals(List<Positional> fields, List<String> words) throws IllegalAccessException {
    for (Positional p : fields) {
      int taken = Math.max(0, Math.min(words.size() - 1, p.to()) - p.from() + 1);
      if (taken < p.min()) {
        return false; // "Missing required parameter"
      }
    }
    for (int i = 0; i < words.size(); i++) {
      Positional at = null;
      for (Positional p : fields) {
        if (p.from() <= i && i <= p.to()) {
          if (at != null) {
            return false; // two fields for one word: picocli's rule, not followed here
          }
          at = p;
        }
      }
      if (at == null) {
        return false; // "Unmatched argument"
      }
      Field f = at.slot().field();
      if (f.getType() == String.class) {
        f.set(at.slot().holder(), words.get(i));
      } else {
        @SuppressWarnings("unchecked")
        List<String> values = (List<String>) f.get(at.slot().holder());
        if (values == null) {
          values = new ArrayList<>();
          f.set(at.slot().holder(), values);
        } else if (i == at.from() && !values.isEmpty()) {
          return false; // an initial value picocli would replace
        }
        values.add(words.get(i));
      }
    }
    return true;
  }

  /** Whether this class reads {@code o} as picocli does: a type it converts, no attribute that changes the parse. */
  private static boolean followed(Field f, Annotation o) {
    Class<?> t = f.getType();
    boolean flag = t == boolean.class || t == Boolean.class;
    String fallback = o.string("fallbackValue", "");
    int converters = o.array("converter").size();
    boolean optionalFlag = t == Boolean.class && arity(o).equals("0..1")
        && (fallback.isEmpty() || fallback.equals("true"));
    if (!arity(o).isEmpty() && !optionalFlag || !o.string("split", "").isEmpty() || o.bool("negatable")
        || !o.array("type").isEmpty() || converters > 1 || defaultValue(o).contains("${")
        || !fallback.isEmpty() && !optionalFlag || o.bool("interactive") || o.bool("usageHelp")
        || o.bool("versionHelp")) {
      return false;
    }
    if (flag) {
      return converters == 0 && defaultValue(o).equals(NO_DEFAULT);
    }
    if (converters == 1) {
      return t == long.class || t == int.class || t == String.class || t == Long.class || t == Integer.class;
    }
    if (t == List.class) {
      return strings(f);
    }
    return t == String.class || t == Path.class || t == int.class || t == long.class || t == Integer.class
        || t == Long.class || t == Double.class;
  }

  /** The {@code arity} of an {@link Option} or {@link Parameters} (picocli's default: empty). */
  private static String arity(Annotation a) {
    return a.string("arity", "");
  }

  /** The {@code defaultValue} of an {@link Option} or {@link Parameters} (picocli's default: {@link #NO_DEFAULT}). */
  private static String defaultValue(Annotation a) {
    return a.string("defaultValue", NO_DEFAULT);
  }

  /** A {@code List<String>} field. */
  private static boolean strings(Field f) {
    return f.getType() == List.class && f.getGenericType() instanceof ParameterizedType p
        && p.getActualTypeArguments()[0] == String.class;
  }

  /** A word picocli would take as an optional boolean's value. */
  private static boolean bool(String word) {
    return word.equalsIgnoreCase("true") || word.equalsIgnoreCase("false");
  }

  /** Sets (or for a list adds) {@code value} converted to the field's type; false when picocli should convert it. */
  private static boolean set(Slot s, String value, boolean list) throws IllegalAccessException {
    Field f = s.field();
    List<Object> converter = s.annotation().array("converter");
    if (list) {
      @SuppressWarnings("unchecked")
      List<String> values = (List<String>) f.get(s.holder());
      if (values == null) {
        values = new ArrayList<>();
        f.set(s.holder(), values);
      }
      values.add(value);
      return true;
    }
    Class<?> t = f.getType();
    Object v;
    if (converter.size() == 1) {
      try {
        var c = Class.forName((String) converter.get(0), true, f.getDeclaringClass().getClassLoader())
            .getDeclaredConstructor();
        c.setAccessible(true);
        v = ((CommandLine.ITypeConverter<?>) c.newInstance()).convert(value);
      } catch (Exception e) {
        return false; // picocli reports the converter's message
      }
    } else if (t == String.class) {
      v = value;
    } else if (t == Path.class) {
      v = Path.of(value);
    } else if (t == Double.class) {
      if (!fraction(value)) {
        return false;
      }
      v = Double.valueOf(value);
    } else if (!decimal(value)) {
      return false;
    } else if (t == int.class || t == Integer.class) {
      long n = Long.parseLong(value);
      if (n > Integer.MAX_VALUE) {
        return false;
      }
      v = (int) n;
    } else {
      v = Long.parseLong(value);
    }
    f.set(s.holder(), v);
    return true;
  }

  /** Digits only, no leading zero, few enough for a long: what every number reader takes the same way. */
  private static boolean decimal(String s) {
    if (s.length() > 18 || (s.length() > 1 && s.charAt(0) == '0')) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '9') {
        return false;
      }
    }
    return !s.isEmpty();
  }

  /** A decimal number with an optional fraction ({@code 0.25}): what {@code Double.valueOf} and picocli agree on. */
  private static boolean fraction(String s) {
    int dot = s.indexOf('.');
    if (dot < 0) {
      return decimal(s);
    }
    String digits = s.substring(dot + 1);
    return decimal(s.substring(0, dot)) && !digits.isEmpty() && digits.length() < 16 && decimal("1" + digits);
  }

  /** A whole decimal number, or -1. */
  private static int number(String s) {
    return decimal(s) && s.length() < 9 ? Integer.parseInt(s) : -1;
  }
}
