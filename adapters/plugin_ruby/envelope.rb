# frozen_string_literal: true

# The adapter side of adapters/PROTOCOL.md for adapters written in Ruby: the hello, one
# request per stdin line (or `--once REQUEST`), `started` and `result` around each
# request, and an adapter's own failure as a `harness-error` result, never a crash. Held
# to adapters/envelope/vectors.json (scripted.rb). An adapter gives `hello`,
# `command(request)` and `run(id, request)`, which emits its output, notes and
# `running` through `emit` and returns the result's fields.

require "json"

PROTOCOL = 1

def emit(event)
  $stdout.puts(JSON.generate(event))
  $stdout.flush
end

def handle(adapter, request)
  id = request["id"].to_s
  emit(id: id, event: "started", command: adapter.command(request))
  result = begin
    adapter.run(id, request)
  rescue StandardError => e
    { outcome: "harness-error", error: "#{e.class}: #{e.message}\n#{e.backtrace&.first(5)&.join("\n")}" }
  end
  emit({ id: id, event: "result" }.merge(result))
end

def serve_once(adapter, greeting, text)
  request = begin
    JSON.parse(text)
  rescue JSON::ParserError => e
    return emit(id: "once", event: "result", outcome: "harness-error", error: "bad request: #{e.message}")
  end
  handle(adapter, request.merge("id" => "once")) if greeting[:available]
end

def serve(adapter)
  greeting = { event: "hello", protocol: PROTOCOL, host: adapter.host }.merge(adapter.hello)
  emit(greeting)
  return serve_once(adapter, greeting, ARGV[1]) if ARGV[0] == "--once"

  $stdin.each_line do |line|
    next if line.strip.empty?

    handle(adapter, JSON.parse(line))
  rescue JSON::ParserError => e
    emit(id: "?", event: "result", outcome: "harness-error", error: "bad request line: #{e.message}")
  end
end
