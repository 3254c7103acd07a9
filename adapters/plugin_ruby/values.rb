# frozen_string_literal: true

# The value model (adapters/PROTOCOL.md, "Values") <-> wasmtime-rb's component values,
# typed by the function's type tree. Mirrors src/wasmtui/values.py; the shared vectors
# in adapters/values/vectors.json hold both to the same answers.
#
# wasmtime-rb's conventions (Wasmtime::Component::Func's documentation): records are
# Hashes keyed by the WIT field names; tuples and lists Arrays; flags an Array of names;
# enums a String; variants Wasmtime::Component::Variant(name, value); results
# Wasmtime::Component::Result (ok? / ok / error); option<T> is nil or the value, so
# some(none) of an option<option<T>> cannot be written in this host (it becomes nil).
module Values
  # A value the gem has no way to write (some(none) of an option<option<T>>): the
  # host's limit, reported as its refusal, never passed as something else.
  class Inexpressible < StandardError; end

  SPECIAL = { "nan" => Float::NAN, "inf" => Float::INFINITY, "-inf" => -Float::INFINITY }.freeze

  module_function

  def kind(type)
    type.is_a?(String) ? type : type.keys.first
  end

  # option<T> whose `some` is written {"some": v}: T an option, or a result with `_`.
  def nullable?(type)
    case kind(type)
    when "option" then true
    when "result" then type["result"]["ok"].nil? || type["result"]["err"].nil?
    else false
    end
  end

  def to_f32(x)
    [x].pack("e").unpack1("e")
  end

  # The shortest decimal that rounds back to the same f32 (0.1, not 0.10000000149011612).
  def shortest_f32(x)
    target = to_f32(x)
    (1..9).each do |digits|
      candidate = format("%.#{digits}g", target).to_f
      return candidate if to_f32(candidate) == target
    end
    target
  end

  def float_json(x)
    return "nan" if x.nan?
    return (x.positive? ? "inf" : "-inf") if x.infinite?

    x
  end

  # Canonical JSON -> the value wasmtime-rb expects as an argument; a handle
  # {"handle" => NAME} is the object `handles` binds to NAME (a scenario's).
  def to_host(type, v, handles = nil)
    case kind(type)
    when "f32", "f64" then v.is_a?(String) ? SPECIAL.fetch(v) : Float(v)
    when "own", "borrow"
      raise KeyError, "no handle is bound as #{v['handle'].inspect}" unless handles&.key?(v["handle"])

      handles[v["handle"]]
    when "list" then v.map { |e| to_host(type["list"], e, handles) }
    when "tuple" then type["tuple"].each_with_index.map { |t, i| to_host(t, v[i], handles) }
    when "record" then type["record"].to_h { |name, t| [name, to_host(t, v.fetch(name), handles)] }
    when "variant"
      name, payload = v.first
      case_type = type["variant"].find { |n, _| n == name }[1]
      Wasmtime::Component::Variant.new(name, case_type && to_host(case_type, payload, handles))
    when "option"
      return nil if v.nil?

      inner = nullable?(type["option"]) ? v.fetch("some") : v
      if inner.nil?
        raise Inexpressible, "wasmtime-rb cannot pass some(none) of #{JSON.generate(type)}: " \
                             "its options are nil or a value"
      end

      to_host(type["option"], inner, handles)
    when "result"
      side, payload = v.first
      side_type = type["result"][side]
      inner = side_type && to_host(side_type, payload, handles)
      side == "ok" ? Wasmtime::Component::Result.ok(inner) : Wasmtime::Component::Result.error(inner)
    else v # bool, integers, char, string, enum, flags
    end
  end

  # A wasmtime-rb value -> canonical JSON. A handle is bound in `handles` under its
  # step's `bind` and its path in the result (`c[1]`, `c.ok`), as values.py names it.
  def from_host(type, v, handles = nil, bind = "", path = "")
    from = ->(t, e, p) { from_host(t, e, handles, bind, p) }
    case kind(type)
    when "f32" then float_json(shortest_f32(v))
    when "f64" then float_json(v)
    when "own", "borrow"
      raise ArgumentError, "a handle came back outside a scenario" if handles.nil?

      handles[bind + path] = v
      { "handle" => bind + path, "resource" => type[kind(type)] }
    when "list" then v.each_with_index.map { |e, i| from.call(type["list"], e, "#{path}[#{i}]") }
    when "tuple" then type["tuple"].each_with_index.map { |t, i| from.call(t, v[i], "#{path}[#{i}]") }
    when "record" then type["record"].to_h { |name, t| [name, from.call(t, v.fetch(name), "#{path}.#{name}")] }
    when "flags" then type["flags"].select { |f| v.include?(f) }
    when "variant"
      case_type = type["variant"].find { |n, _| n == v.name }[1]
      { v.name => case_type && from.call(case_type, v.value, "#{path}.#{v.name}") }
    when "option"
      return nil if v.nil?

      some = nullable?(type["option"])
      inner = from.call(type["option"], v, some ? "#{path}.some" : path)
      some ? { "some" => inner } : inner
    when "result"
      side = v.ok? ? "ok" : "err"
      side_type = type["result"][side]
      { side => side_type && from.call(side_type, v.ok? ? v.ok : v.error, "#{path}.#{side}") }
    else v # bool, integers, char, string, enum
    end
  end
end
