# frozen_string_literal: true

# plugin_ruby: runs checks in wasmtime-rb (the `wasmtime` gem), speaking
# adapters/PROTOCOL.md. When the gem cannot be loaded, the hello says so (with the
# install command) and wasmtui shows the host as unavailable.
#
# invoke: Wasmtime::Component::Linker + WASI::P2.add_to_linker_sync, then
# instance.get_func([iface, func]).call(*args), values converted by the signature
# (values.rb). Host functions need LinkerInstance#func_new (wasmtime-rb#433/#597, on
# main, not in v45.0.0): where the gem lacks it, the import stays undefined and
# wasmtime's own refusal is the verdict. cli: the component's wasi:cli/run `run` export
# (its exact name resolved by the core) with the check's argv.

require "fileutils"
require "json"
require "tmpdir"
require_relative "builtins"
require_relative "envelope"
require_relative "outcomes"
require_relative "output"
require_relative "values"

INSTALL = "make -C hosts/plugin_ruby install"

begin
  require "wasmtime"
  GEM_ERROR = nil
rescue LoadError => e
  GEM_ERROR = e.message
end

# The gem's capabilities, by what it defines (its version alone does not say).
def host_functions?
  defined?(Wasmtime::Component::LinkerInstance) &&
    Wasmtime::Component::LinkerInstance.method_defined?(:func_new)
end

def hello_fields
  if GEM_ERROR
    return { available: false, install: INSTALL,
             reason: "the wasmtime gem (>= 45) cannot be loaded in Ruby #{RUBY_VERSION} " \
                     "(#{GEM_ERROR}); it is published only on rubygems.org" }
  end
  functions = host_functions? ? "host functions" : "no host functions (LinkerInstance#func_new missing)"
  { available: true,
    version: "ruby #{RUBY_VERSION}, wasmtime-rb #{Wasmtime::VERSION} (WASI p2, #{functions})" }
end

# Temp files live in the run's folder (WASMTUI_RUN_DIR), never in /tmp: a killed adapter
# leaves nothing behind outside it.
def scratch_dir
  base = ENV.fetch("WASMTUI_RUN_DIR", "")
  base = Dir.tmpdir if base.empty?
  File.join(base, "scratch", "plugin_ruby-#{Process.pid}").tap { |d| FileUtils.mkdir_p(d) }
end

# What the check grants the guest; nothing else (the gem's WasiConfig starts empty).
def grant(wasi, grants)
  (grants["dirs"] || []).each { |dir| wasi.set_mapped_directory(dir, dir, :all, :all) }
  wasi.inherit_network.allow_tcp(true).allow_udp(true) if grants["network"]
end

def define_host_functions(linker, host_functions)
  return unless host_functions?

  host_functions.group_by { |name, _| name.rpartition(".").first }.each do |iface, funcs|
    linker.instance(iface) do |inst|
      funcs.each do |name, builtin|
        inst.func_new(name.rpartition(".").last) { |*args| BUILTINS.fetch(builtin).call(*args) }
      end
    end
  end
end

def run_check(id, request, out_path, err_path)
  check = request.fetch("check")
  engine = Wasmtime::Engine.new
  begin
    component = Wasmtime::Component::Component.from_file(engine, request.fetch("component"))
  rescue Wasmtime::Error => e
    return Outcomes.failure(e.message, false)
  end
  linker = Wasmtime::Component::Linker.new(engine)
  Wasmtime::WASI::P2.add_to_linker_sync(linker)
  define_host_functions(linker, check["host_functions"] || {})
  # argv is a command's: an invoke check's arguments are the function's, never the program's.
  argv = ["component.wasm", *(check["kind"] == "cli" ? check["args"] || [] : [])]
  wasi = Wasmtime::WasiConfig.new.set_argv(argv).set_env(check["env"] || {})
                             .set_stdout_file(out_path).set_stderr_file(err_path)
  grant(wasi, check["grants"] || {})
  limits = request["memory_limit"] ? { memory_size: request["memory_limit"] } : nil
  store = Wasmtime::Store.new(engine, wasi_config: wasi, limits: limits)
  emit(id: id, event: "running")
  instantiated = false # a failure after it is the call's (PROTOCOL.md `instantiated`)
  result = begin
    instance = linker.instantiate(store, component)
    instantiated = true
    case check["kind"]
    when "invoke" then invoke(instance, check)
    when "cli" then run_command(instance, check, out_path)
    else { outcome: "ok" }
    end
  rescue Wasmtime::WasiExit => e # wasi:cli/exit (a Trap has #code too: not an exit)
    { outcome: "ok", exit_code: e.code, **captured("stdout", out_path) }
  rescue Wasmtime::Error => e
    Outcomes.failure(e.message, true)
  end
  instantiated ? result.merge(instantiated: true) : result
end

def invoke(instance, check)
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
end

def run_command(instance, check, out_path)
  run = (check["run_exports"] || []).lazy.map { |name| instance.get_func([name, "run"]) }.find(&:itself)
  return { outcome: "refused", error: "the component exports no wasi:cli/run this host can call" } unless run

  result = run.call
  code = result.respond_to?(:error?) && result.error? ? 1 : 0
  { outcome: "ok", exit_code: code, **captured("stdout", out_path) }
end

# plugin_ruby for the envelope (envelope.rb): a check runs with its guest's stdout and
# stderr in files of the run's scratch folder, streamed once it ends.
class PluginRuby
  def host = "plugin_ruby"

  def hello = hello_fields

  def command(request)
    once = JSON.generate(request.reject { |k, _| k == "id" })
    "ruby #{File.expand_path(__FILE__)} --once '#{once.gsub("'", "'\\\\''")}'"
  end

  def run(id, request)
    dir = scratch_dir
    out_path = File.join(dir, "#{id}.stdout")
    err_path = File.join(dir, "#{id}.stderr")
    begin
      run_check(id, request, out_path, err_path)
    ensure
      [["stdout", out_path], ["stderr", err_path]].each { |s, p| stream_file(id, s, p) if File.exist?(p) }
      FileUtils.rm_f([out_path, err_path])
    end
  end
end

serve(PluginRuby.new)
