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

  # Canonical JSON -> the value wasmtime-rb expects as an argument.
  def to_host(type, v)
    case kind(type)
    when "f32", "f64" then v.is_a?(String) ? SPECIAL.fetch(v) : Float(v)
    when "list" then v.map { |e| to_host(type["list"], e) }
    when "tuple" then type["tuple"].each_with_index.map { |t, i| to_host(t, v[i]) }
    when "record" then type["record"].to_h { |name, t| [name, to_host(t, v.fetch(name))] }
    when "variant"
      name, payload = v.first
      case_type = type["variant"].find { |n, _| n == name }[1]
      Wasmtime::Component::Variant.new(name, case_type && to_host(case_type, payload))
    when "option"
      return nil if v.nil?

      inner = nullable?(type["option"]) ? v.fetch("some") : v
      if inner.nil?
        raise Inexpressible, "wasmtime-rb cannot pass some(none) of #{JSON.generate(type)}: " \
                             "its options are nil or a value"
      end

      to_host(type["option"], inner)
    when "result"
      side, payload = v.first
      side_type = type["result"][side]
      inner = side_type && to_host(side_type, payload)
      side == "ok" ? Wasmtime::Component::Result.ok(inner) : Wasmtime::Component::Result.error(inner)
    else v # bool, integers, char, string, enum, flags
    end
  end

  # A wasmtime-rb value -> canonical JSON.
  def from_host(type, v)
    case kind(type)
    when "f32" then float_json(shortest_f32(v))
    when "f64" then float_json(v)
    when "list" then v.map { |e| from_host(type["list"], e) }
    when "tuple" then type["tuple"].each_with_index.map { |t, i| from_host(t, v[i]) }
    when "record" then type["record"].to_h { |name, t| [name, from_host(t, v.fetch(name))] }
    when "flags" then type["flags"].select { |f| v.include?(f) }
    when "variant"
      case_type = type["variant"].find { |n, _| n == v.name }[1]
      { v.name => case_type && from_host(case_type, v.value) }
    when "option"
      return nil if v.nil?

      inner = from_host(type["option"], v)
      nullable?(type["option"]) ? { "some" => inner } : inner
    when "result"
      side = v.ok? ? "ok" : "err"
      side_type = type["result"][side]
      { side => side_type && from_host(side_type, v.ok? ? v.ok : v.error) }
    else v # bool, integers, char, string, enum
    end
  end
end
