package io.jswarm.cli;

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

/**
 * A command's options parsed without picocli, from the command's own {@link Option} fields: the annotations stay the
 * one definition of the options (picocli reads them for {@code --help}, the usage and its errors), this reads their
 * names, default values and converters. picocli's model of a command is ~170 classes of Java 5 bytecode that a class
 * archive cannot hold, and a daemon that runs for months kept them all in its metaspace for one parse
 * (docs/footprint.md); reading the annotations loads ~15 small ones.
 *
 * <p>Only the plain forms are taken: {@code --name value}, {@code --name=value}, {@code -H value}, a boolean flag
 * given alone, a list option repeated, each single option at most once, values that neither are empty nor start with
 * {@code -} or {@code @}, whole decimal numbers without a leading zero. Anything else ({@code --help}, a typo, a word
 * that is no option, a clustered or attached short option, a value picocli might read otherwise, an option attribute
 * this class does not follow) makes {@link #parse} return false, and picocli then parses the command line with its
 * usage and messages. So what this accepts, it fills exactly as picocli would ({@code QuickFlagsTest} compares both).
 */
final class QuickFlags {
  private QuickFlags() {}

  /** picocli's marker for an option without a default value ({@code Option.defaultValue}'s own default). */
  private static final String NO_DEFAULT = "__no_default_value__";

  /**
   * Fills {@code command}'s option fields from {@code args} (the words after the command's name) and the options'
   * default values; false when picocli must parse them (then {@code command} is to be dropped).
   */
  static boolean parse(Object command, List<String> args) {
    Map<String, Field> byName = new HashMap<>();
    List<Field> options = new ArrayList<>();
    for (Field f : command.getClass().getDeclaredFields()) {
      Option o = f.getAnnotation(Option.class);
      if (o == null) {
        continue;
      }
      if (!followed(f, o)) {
        return false;
      }
      f.setAccessible(true);
      options.add(f);
      for (String name : o.names()) {
        byName.put(name, f);
      }
    }
    try {
      Set<Field> given = new HashSet<>();
      for (int i = 0; i < args.size(); i++) {
        String word = args.get(i);
        String name = word;
        String value = null;
        int eq = word.indexOf('=');
        if (word.startsWith("--") && eq > 2) {
          name = word.substring(0, eq);
          value = word.substring(eq + 1);
        }
        Field f = byName.get(name);
        if (f == null || word.startsWith("@")) {
          return false; // --help, a typo, a positional word, --, an @file: picocli's
        }
        boolean list = f.getType() == List.class;
        if (!given.add(f) && !list) {
          return false; // "should be specified only once"
        }
        if (f.getType() == boolean.class) {
          if (value != null) {
            return false;
          }
          f.setBoolean(command, true);
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
        if (!set(command, f, value, list)) {
          return false;
        }
      }
      for (Field f : options) {
        Option o = f.getAnnotation(Option.class);
        if (!given.contains(f) && !o.defaultValue().equals(NO_DEFAULT) && !set(command, f, o.defaultValue(), false)) {
          return false;
        }
        if (!given.contains(f) && o.required()) {
          return false;
        }
      }
      return true;
    } catch (IllegalAccessException e) {
      return false;
    }
  }

  /** Whether this class reads {@code o} as picocli does: a type it converts, no attribute that changes the parse. */
  private static boolean followed(Field f, Option o) {
    if (!o.arity().isEmpty() || !o.split().isEmpty() || o.negatable() || o.type().length > 0
        || o.converter().length > 1 || o.defaultValue().contains("${") || !o.fallbackValue().isEmpty()
        || o.interactive()) {
      return false;
    }
    Class<?> t = f.getType();
    if (o.converter().length == 1) {
      return t == long.class || t == int.class || t == String.class;
    }
    if (t == List.class) {
      return f.getGenericType() instanceof ParameterizedType p && p.getActualTypeArguments()[0] == String.class;
    }
    return t == String.class || t == Path.class || t == int.class || t == long.class || t == boolean.class;
  }

  /** Sets (or for a list adds) {@code value} converted to {@code f}'s type; false when picocli should convert it. */
  private static boolean set(Object command, Field f, String value, boolean list) throws IllegalAccessException {
    Option o = f.getAnnotation(Option.class);
    if (list) {
      @SuppressWarnings("unchecked")
      List<String> values = (List<String>) f.get(command);
      values.add(value);
      return true;
    }
    Object v;
    if (o.converter().length == 1) {
      try {
        v = ((CommandLine.ITypeConverter<?>) o.converter()[0].getDeclaredConstructor().newInstance()).convert(value);
      } catch (Exception e) {
        return false; // picocli reports the converter's message
      }
    } else if (f.getType() == String.class) {
      v = value;
    } else if (f.getType() == Path.class) {
      v = Path.of(value);
    } else if (!decimal(value)) {
      return false;
    } else if (f.getType() == int.class) {
      long n = Long.parseLong(value);
      if (n > Integer.MAX_VALUE) {
        return false;
      }
      v = (int) n;
    } else {
      v = Long.parseLong(value);
    }
    f.set(command, v);
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
}
