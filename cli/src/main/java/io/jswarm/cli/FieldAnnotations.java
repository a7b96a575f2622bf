package io.jswarm.cli;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The runtime-visible annotations of a class's fields read from its class file, as plain values: what
 * {@link QuickFlags} needs of picocli's {@code @Option}s without {@code Field.getDeclaredAnnotations()}, which makes a
 * {@code java.lang.reflect.Proxy} class per annotation type (spun bytecode, method handles, lambdas) and an
 * invocation-handler object per annotation: 30-100 ms of a cold client verb with options ({@code service update},
 * {@code logs}, docs/footprint.md). The class file is the one the class was loaded from (its loader's resource), so
 * what is read is what reflection would have read.
 *
 * <p>An annotation is its type's binary name ({@code picocli.CommandLine$Option}) and the members written in the
 * class file: a string, a boolean, a number, a class (its binary name), an enum constant (its type's binary name, a dot, its name) or a
 * nested annotation as itself, an array as a {@code List} of those. A member left at its default is absent: the
 * caller supplies the default ({@link Annotation#string}).
 *
 * <p>A client verb reads them from the build's table when {@code bin/jswarm} names it ({@link ClientResources}): the
 * build ({@link ClientJar}) writes, for each class of the client jar with annotated fields, what {@link #of} reads
 * from its class file ({@link #writeTable}), a file {@code CLASS.fields} per class. Reading a class file means opening
 * the client jar (its central directory, interpreted) and parsing the class's whole constant pool: ~4 ms a class, and
 * {@code service update} reads eight (docs/footprint.md). A class the table does not have is read from its class
 * file.
 */
final class FieldAnnotations {
  private FieldAnnotations() {}

  /** The table's file name for a class. */
  static String tableEntry(Class<?> c) {
    return c.getName() + ".fields";
  }

  /** One annotation of a field: its type and the members the class file gives. */
  record Annotation(String type, Map<String, Object> members) {
    /** A string member, or {@code otherwise} when the class file leaves it at its default. */
    String string(String name, String otherwise) {
      Object v = members.get(name);
      return v == null ? otherwise : (String) v;
    }

    /** A boolean member, false when left at its default (every boolean member QuickFlags reads defaults to false). */
    boolean bool(String name) {
      return Boolean.TRUE.equals(members.get(name));
    }

    /** An array member's values (an empty list when left at its default: every array QuickFlags reads is empty). */
    @SuppressWarnings("unchecked")
    List<Object> array(String name) {
      Object v = members.get(name);
      return v == null ? List.of() : v instanceof List ? (List<Object>) v : List.of(v);
    }
  }

  /**
   * The field name -> annotations map of {@code c}'s own fields (not its superclasses'), in the order of the class
   * file; fields without runtime-visible annotations are left out.
   *
   * @throws IOException when the class file cannot be read or is not one
   */
  static Map<String, List<Annotation>> of(Class<?> c) throws IOException {
    InputStream entry = ClientResources.open(tableEntry(c));
    if (entry != null) {
      try (DataInputStream in = new DataInputStream(new BufferedInputStream(entry))) {
        return readTable(in);
      }
    }
    String resource = c.getName().replace('.', '/') + ".class";
    ClassLoader loader = c.getClassLoader();
    try (InputStream in = loader == null ? ClassLoader.getSystemResourceAsStream(resource)
        : loader.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IOException("no class file for " + c.getName());
      }
      return fromClassFile(in.readAllBytes());
    }
  }

  /** What {@link #of} gives for the class whose class file is {@code bytes}. */
  static Map<String, List<Annotation>> fromClassFile(byte[] bytes) throws IOException {
    return read(new DataInputStream(new ByteArrayInputStream(bytes)));
  }

  /** Writes {@code fields} (what {@link #of} gave) as a table entry, which {@link #readTable} reads back equal. */
  static void writeTable(Map<String, List<Annotation>> fields, DataOutputStream out) throws IOException {
    out.writeShort(fields.size());
    for (Map.Entry<String, List<Annotation>> e : fields.entrySet()) {
      out.writeUTF(e.getKey());
      out.writeShort(e.getValue().size());
      for (Annotation a : e.getValue()) {
        writeAnnotation(a, out);
      }
    }
  }

  private static void writeAnnotation(Annotation a, DataOutputStream out) throws IOException {
    out.writeUTF(a.type());
    out.writeShort(a.members().size());
    for (Map.Entry<String, Object> m : a.members().entrySet()) {
      out.writeUTF(m.getKey());
      writeValue(m.getValue(), out);
    }
  }

  /** A member value, tagged as in a class file ({@code s}, {@code Z}, {@code I}, ..., {@code @}, {@code [}). */
  private static void writeValue(Object v, DataOutputStream out) throws IOException {
    if (v instanceof String s) {
      out.writeByte('s');
      out.writeUTF(s);
    } else if (v instanceof Boolean b) {
      out.writeByte('Z');
      out.writeBoolean(b);
    } else if (v instanceof Integer i) {
      out.writeByte('I');
      out.writeInt(i);
    } else if (v instanceof Long l) {
      out.writeByte('J');
      out.writeLong(l);
    } else if (v instanceof Float f) {
      out.writeByte('F');
      out.writeFloat(f);
    } else if (v instanceof Double d) {
      out.writeByte('D');
      out.writeDouble(d);
    } else if (v instanceof Byte b) {
      out.writeByte('B');
      out.writeByte(b);
    } else if (v instanceof Character c) {
      out.writeByte('C');
      out.writeChar(c);
    } else if (v instanceof Short s) {
      out.writeByte('S');
      out.writeShort(s);
    } else if (v instanceof Annotation a) {
      out.writeByte('@');
      writeAnnotation(a, out);
    } else if (v instanceof List<?> list) {
      out.writeByte('[');
      out.writeShort(list.size());
      for (Object o : list) {
        writeValue(o, out);
      }
    } else {
      throw new IOException("annotation value " + v.getClass().getName());
    }
  }

  /** A table entry written by {@link #writeTable}. */
  static Map<String, List<Annotation>> readTable(DataInputStream in) throws IOException {
    Map<String, List<Annotation>> fields = new LinkedHashMap<>();
    int count = in.readUnsignedShort();
    for (int f = 0; f < count; f++) {
      String name = in.readUTF();
      int n = in.readUnsignedShort();
      List<Annotation> list = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        list.add(tableAnnotation(in));
      }
      fields.put(name, list);
    }
    return fields;
  }

  private static Annotation tableAnnotation(DataInputStream in) throws IOException {
    String type = in.readUTF();
    Map<String, Object> members = new HashMap<>();
    int pairs = in.readUnsignedShort();
    for (int i = 0; i < pairs; i++) {
      String name = in.readUTF();
      members.put(name, tableValue(in));
    }
    return new Annotation(type, members);
  }

  private static Object tableValue(DataInputStream in) throws IOException {
    int tag = in.readUnsignedByte();
    switch (tag) {
      case 's':
        return in.readUTF();
      case 'Z':
        return in.readBoolean();
      case 'I':
        return in.readInt();
      case 'J':
        return in.readLong();
      case 'F':
        return in.readFloat();
      case 'D':
        return in.readDouble();
      case 'B':
        return in.readByte();
      case 'C':
        return in.readChar();
      case 'S':
        return in.readShort();
      case '@':
        return tableAnnotation(in);
      case '[': {
        int n = in.readUnsignedShort();
        List<Object> values = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          values.add(tableValue(in));
        }
        return values;
      }
      default:
        throw new IOException("table value tag " + (char) tag);
    }
  }

  private static Map<String, List<Annotation>> read(DataInputStream in) throws IOException {
    if (in.readInt() != 0xCAFEBABE) {
      throw new IOException("not a class file");
    }
    in.readUnsignedShort(); // minor
    in.readUnsignedShort(); // major
    Object[] pool = new Object[in.readUnsignedShort()];
    for (int i = 1; i < pool.length; i++) {
      int tag = in.readUnsignedByte();
      switch (tag) {
        case 1 -> pool[i] = in.readUTF();
        case 3 -> pool[i] = in.readInt();
        case 4 -> pool[i] = in.readFloat();
        case 5 -> pool[i++] = in.readLong(); // takes two entries
        case 6 -> pool[i++] = in.readDouble();
        case 7, 8, 16, 19, 20 -> in.readUnsignedShort();
        case 9, 10, 11, 12, 17, 18 -> in.readInt();
        case 15 -> {
          in.readUnsignedByte();
          in.readUnsignedShort();
        }
        default -> throw new IOException("constant pool tag " + tag);
      }
    }
    in.readUnsignedShort(); // access
    in.readUnsignedShort(); // this
    in.readUnsignedShort(); // super
    in.skipBytes(2 * in.readUnsignedShort()); // interfaces
    Map<String, List<Annotation>> fields = new LinkedHashMap<>();
    int count = in.readUnsignedShort();
    for (int f = 0; f < count; f++) {
      in.readUnsignedShort(); // access
      String name = (String) pool[in.readUnsignedShort()];
      in.readUnsignedShort(); // descriptor
      int attributes = in.readUnsignedShort();
      for (int a = 0; a < attributes; a++) {
        String attribute = (String) pool[in.readUnsignedShort()];
        int length = in.readInt();
        if (!attribute.equals("RuntimeVisibleAnnotations")) {
          in.skipBytes(length);
          continue;
        }
        List<Annotation> list = new ArrayList<>();
        int n = in.readUnsignedShort();
        for (int i = 0; i < n; i++) {
          list.add(annotation(in, pool));
        }
        fields.put(name, list);
      }
    }
    return fields;
  }

  private static Annotation annotation(DataInputStream in, Object[] pool) throws IOException {
    String type = binaryName((String) pool[in.readUnsignedShort()]);
    Map<String, Object> members = new HashMap<>();
    int pairs = in.readUnsignedShort();
    for (int i = 0; i < pairs; i++) {
      String name = (String) pool[in.readUnsignedShort()];
      members.put(name, value(in, pool));
    }
    return new Annotation(type, members);
  }

  private static Object value(DataInputStream in, Object[] pool) throws IOException {
    int tag = in.readUnsignedByte();
    switch (tag) {
      case 's', 'I', 'J', 'D', 'F':
        return pool[in.readUnsignedShort()];
      case 'Z':
        return ((Integer) pool[in.readUnsignedShort()]) != 0;
      case 'B', 'C', 'S': {
        int v = (Integer) pool[in.readUnsignedShort()];
        return tag == 'B' ? (Object) (byte) v : tag == 'C' ? (Object) (char) v : (Object) (short) v;
      }
      case 'e': {
        String enumType = binaryName((String) pool[in.readUnsignedShort()]);
        return enumType + "." + pool[in.readUnsignedShort()];
      }
      case 'c':
        return binaryName((String) pool[in.readUnsignedShort()]);
      case '@':
        return annotation(in, pool);
      case '[': {
        int n = in.readUnsignedShort();
        List<Object> values = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          values.add(value(in, pool));
        }
        return values;
      }
      default:
        throw new IOException("annotation value tag " + (char) tag);
    }
  }

  /** {@code Lpicocli/CommandLine$Option;} -> {@code picocli.CommandLine$Option} (a class descriptor's binary name). */
  private static String binaryName(String descriptor) {
    if (descriptor.startsWith("L") && descriptor.endsWith(";")) {
      return descriptor.substring(1, descriptor.length() - 1).replace('/', '.');
    }
    return descriptor; // a primitive or array descriptor ("V" for void.class, "[Ljava/lang/String;")
  }
}
