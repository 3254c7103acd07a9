# frozen_string_literal: true

# plugin_ruby: runs checks in wasmtime-rb (the `wasmtime` gem), speaking
# adapters/PROTOCOL.md. When the gem cannot be loaded, the hello says so (with the
# install command) and wasmtui shows the host as unavailable.
#
# invoke: Wasmtime::Component::Linker + WASI::P2.add_to_linker_sync, then
# instance.get_func([iface, func]).call(*args). Host functions need
# LinkerInstance#func_new (wasmtime-rb#433/#597), used only when the gem has it.
# cli: calls the component's wasi:cli/run `run` export with the check's argv.

require "json"
require "tempfile"
require_relative "outcomes"
require_relative "values"

PROTOCOL = 1
INSTALL = "make -C hosts/plugin_ruby install"
BUILTINS = {
  "reverse" => ->(s) { s.reverse },
  "upper" => ->(s) { s.upcase },
  "identity" => ->(s) { s }
}.freeze

begin
  require "wasmtime"
  GEM_ERROR = nil
rescue LoadError => e
  GEM_ERROR = e.message
end

def emit(event)
  $stdout.puts(JSON.generate(event))
  $stdout.flush
end

def hello
  base = { event: "hello", protocol: PROTOCOL, host: "plugin_ruby" }
  if GEM_ERROR
    return base.merge(available: false, install: INSTALL,
                      reason: "the wasmtime gem (>= 45) cannot be loaded in Ruby #{RUBY_VERSION} " \
                              "(#{GEM_ERROR}); it is published only on rubygems.org")
  end
  base.merge(available: true, version: "ruby #{RUBY_VERSION}, wasmtime-rb #{Wasmtime::VERSION}")
end

def stream_file(id, stream, path)
  File.foreach(path) { |line| emit(id: id, event: "output", stream: stream, lines: [line.chomp]) }
  File.read(path)
end

def run_check(id, request)
  check = request.fetch("check")
  engine = Wasmtime::Engine.new
  component = Wasmtime::Component::Component.from_file(engine, request.fetch("component"))
  linker = Wasmtime::Component::Linker.new(engine)
  Wasmtime::WASI::P2.add_to_linker_sync(linker)
  (check["host_functions"] || {}).each do |name, builtin|
    iface, _, func = name.rpartition(".")
    unless linker.respond_to?(:instance)
      return { outcome: "refused", error: "this wasmtime-rb cannot define host functions (#{name}; wasmtime-rb#433)" }
    end
    linker.instance(iface) { |inst| inst.func_new(func) { |*args| BUILTINS.fetch(builtin).call(*args) } }
  end
  out = Tempfile.new("stdout")
  err = Tempfile.new("stderr")
  # argv is a command's: an invoke check's arguments are the function's, never the program's.
  argv = ["component.wasm", *(check["kind"] == "cli" ? check["args"] || [] : [])]
  wasi = Wasmtime::WasiConfig.new.set_argv(argv).set_env(check["env"] || {})
                             .set_stdout_file(out.path).set_stderr_file(err.path)
  store = Wasmtime::Store.new(engine, wasi_config: wasi)
  emit(id: id, event: "running")
  begin
    instance = linker.instantiate(store, component)
  rescue Wasmtime::Error => e
    return Outcomes.failure(e.message, true)
  end
  begin
    case check["kind"]
    when "invoke"
      iface, _, func = check["function"].rpartition(".")
      f = instance.get_func(iface.empty? ? func : [iface, func])
      return { outcome: "refused", error: "no exported function #{check['function']}" } unless f
      sig = check.fetch("signature")
      args = begin
        sig["params"].each_with_index.map { |(_, type), i| Values.to_host(type, check["args"][i]) }
      rescue Values::Inexpressible => e
        return { outcome: "refused", error: e.message }
      end
      value = f.call(*args)
      { outcome: "ok", value: sig["result"] && Values.from_host(sig["result"], value) }
    when "cli"
      run_iface = component.type.exports(engine).keys.find { |k| k.start_with?("wasi:cli/run@") } rescue nil
      f = run_iface && instance.get_func([run_iface, "run"])
      return { outcome: "refused", error: "the component exports no wasi:cli/run" } unless f
      result = f.call
      code = result.respond_to?(:error?) && result.error? ? 1 : 0
      { outcome: "ok", exit_code: code, stdout: stream_file(id, "stdout", out.path) }
    else
      { outcome: "ok" }
    end
  rescue StandardError => e
    raise unless e.class.name.to_s.start_with?("Wasmtime::")
    # wasi:cli/exit surfaces as Wasmtime::WasiExit (a Trap also has #code: not an exit)
    if defined?(Wasmtime::WasiExit) && e.is_a?(Wasmtime::WasiExit)
      { outcome: "ok", exit_code: e.code, stdout: stream_file(id, "stdout", out.path) }
    else
      Outcomes.failure(e.message, true)
    end
  ensure
    stream_file(id, "stderr", err.path)
    out.close!
    err.close!
  end
end

def handle(request)
  id = request["id"].to_s
  once = JSON.generate(request.reject { |k, _| k == "id" })
  emit(id: id, event: "started",
       command: "ruby #{File.expand_path(__FILE__)} --once '#{once.gsub("'", "'\\\\''")}'")
  result = begin
    run_check(id, request)
  rescue StandardError => e
    { outcome: "harness-error", error: "#{e.class}: #{e.message}\n#{e.backtrace&.first(5)&.join("\n")}" }
  end
  emit({ id: id, event: "result" }.merge(result))
end

greeting = hello
emit(greeting)
if ARGV[0] == "--once"
  handle({ "id" => "once" }.merge(JSON.parse(ARGV[1]))) if greeting[:available]
  exit 0
end
$stdin.each_line do |line|
  next if line.strip.empty?

  handle(JSON.parse(line))
rescue JSON::ParserError => e
  emit(id: "?", event: "result", outcome: "harness-error", error: "bad request line: #{e.message}")
end
