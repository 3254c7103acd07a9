# frozen_string_literal: true

# Runs the shared vectors through the Ruby adapter's rules: the value model
# (adapters/values/vectors.json: every canonical value must come back unchanged from its
# wasmtime-rb form), the outcome rule (adapters/outcomes/vectors.json) and the builtin
# host functions (adapters/builtins/vectors.json).
# Without the gem, Wasmtime::Component::Result and Variant are the minimal stand-ins
# below, shaped as the gem documents them (Result.ok / .error / ok? / ok / error,
# Variant.new(name, value) / name / value): this checks the converter's own logic; the
# gem itself is checked by the conformance guest. Prints failures; exits 1 on any.
# Usage: ruby adapters/plugin_ruby/vectors.rb (run by tests/test_values.py: test_ruby_vectors)
require "json"
require_relative "builtins"
require_relative "outcomes"
require_relative "values"

begin
  require "wasmtime"
rescue LoadError
  module Wasmtime
    module Component
      Variant = Struct.new(:name, :value)
      class Result
        attr_reader :ok, :error

        def self.ok(value) = new(true, value)
        def self.error(value) = new(false, value)

        def initialize(is_ok, value)
          @is_ok = is_ok
          @ok, @error = is_ok ? [value, nil] : [nil, value]
        end

        def ok? = @is_ok
      end
    end
  end
end

vectors = JSON.parse(File.read(File.join(__dir__, "..", "values", "vectors.json")))
failures = 0
# wasmtime-rb values of these kinds are not converted here (host.toml: those checks are n/a)
NOT_HERE = %w[map stream future].freeze
contains = lambda do |t|
  t.is_a?(Hash) && (NOT_HERE.include?(t.keys.first) || [t.values.first].flatten.any? { |e| contains.call(e) })
end
# A value there and back through the converter, as JSON text; nil when wasmtime-rb cannot
# express it (said so by name); the exception's words when the converter raised.
round_trip = lambda do |v, bound = nil, back = nil|
  JSON.generate(Values.from_host(v["type"], Values.to_host(v["type"], v["value"], bound),
                                 back, v["bind"] || ""))
rescue Values::Inexpressible => e
  puts "not expressible in wasmtime-rb (refused by name): #{e.message}"
  nil
rescue StandardError => e
  "raised #{e.class}: #{e.message}"
end
skipped = 0
vectors["roundtrip"].each do |v|
  if contains.call(v["type"])
    skipped += 1
    next
  end
  want = JSON.generate(v["value"])
  got = round_trip.call(v)
  next if got.nil? || got == want

  failures += 1
  puts "#{JSON.generate(v['type'])}: #{want} came back as #{got}"
end
puts "#{vectors['roundtrip'].size - skipped - failures}/#{vectors['roundtrip'].size - skipped} round trips " \
     "(#{skipped} with maps, streams or futures: not converted by the Ruby adapter)"

# Handles: each named handle goes in as an object of its own and must come back as that
# very object, named by the step's bind and its path in the value.
names_in = lambda do |v, out = []|
  if v.is_a?(Hash) && v["handle"].is_a?(String) && v.key?("resource") then out << v["handle"]
  elsif v.is_a?(Hash) then v.each_value { |e| names_in.call(e, out) }
  elsif v.is_a?(Array) then v.each { |e| names_in.call(e, out) }
  end
  out
end
vectors["handles"].each do |v|
  bound = names_in.call(v["value"]).to_h { |n| [n, Object.new] }
  back = {}
  got = round_trip.call(v, bound, back)
  same = back.keys == bound.keys && bound.all? { |n, o| back[n].equal?(o) }
  next if got.nil? || (got == JSON.generate(v["value"]) && same)

  failures += 1
  puts "#{JSON.generate(v['type'])} bound as #{v['bind']}: #{JSON.generate(v['value'])} came back as #{got}"
end
puts "#{vectors['handles'].size} handle cases"

cases = JSON.parse(File.read(File.join(__dir__, "..", "outcomes", "vectors.json")))["cases"]
cases.each do |c|
  got = Outcomes.outcome_of(c["error"], c["started"], c["signal"])
  next if got == c["outcome"]

  failures += 1
  puts "outcome of #{c.inspect}: #{got}, not #{c['outcome']}"
end
puts "#{cases.size} outcome cases"

builtins = JSON.parse(File.read(File.join(__dir__, "..", "builtins", "vectors.json")))["cases"]
builtins.each do |c|
  got = BUILTINS.fetch(c["builtin"]).call(c["input"])
  next if got == c["output"]

  failures += 1
  puts "#{c['builtin']}(#{c['input'].inspect}): #{got.inspect}, not #{c['output'].inspect}"
end
puts "#{builtins.size} builtin host function cases"
exit(failures.zero? ? 0 : 1)
