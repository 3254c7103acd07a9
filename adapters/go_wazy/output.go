package main

// The output rules of adapters/PROTOCOL.md for the Go adapter: guest output streamed live
// as `output` events of whole lines, each at most 16 KiB of UTF-8 (cut on a character
// boundary, marked, the rest of the line dropped as it arrives), the first MiB captured.
// The same shared vectors (adapters/output/vectors.json) hold the Python, JavaScript,
// Ruby and Go adapters to it (`adapter --output-vectors`).

import (
	"strings"
	"sync"
	"time"
)

const (
	maxLine    = 16 * 1024
	maxCapture = 1024 * 1024
	chunkLines = 1000 // lines per output event: a flood costs one event per chunk
	cutMark    = " [line cut at 16 KiB]"
	flushEvery = 50 * time.Millisecond
)

// cutLine: a line as streamed (bytes in, UTF-8 text out). A longer one is cut and marked,
// and a character the cut splits is dropped, not replaced.
func cutLine(b []byte) string {
	if len(b) <= maxLine {
		return strings.ToValidUTF8(string(b), "\uFFFD")
	}
	head := b[:maxLine-len(cutMark)]
	return strings.ToValidUTF8(string(head), "") + cutMark
}

// outputStream is one guest stream (stdout or stderr) as an io.Writer: it sends lines as
// they end, holds at most one 16 KiB partial line, and keeps the first MiB for the result.
type outputStream struct {
	mu        sync.Mutex
	name      string
	send      func(stream string, lines []string)
	partial   []byte
	cutting   bool
	lines     []string
	lastFlush time.Time
	captured  []byte
	total     int64
}

func newOutputStream(name string, send func(string, []string)) *outputStream {
	return &outputStream{name: name, send: send, lastFlush: time.Now()}
}

func (o *outputStream) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.total += int64(len(p))
	if room := maxCapture - len(o.captured); room > 0 {
		o.captured = append(o.captured, p[:min(room, len(p))]...)
	}
	rest := p
	for len(rest) > 0 {
		nl := -1
		for i, c := range rest {
			if c == '\n' {
				nl = i
				break
			}
		}
		if nl < 0 {
			if !o.cutting {
				o.partial = append(o.partial, rest...)
				if len(o.partial) > maxLine {
					o.lines = append(o.lines, cutLine(o.partial))
					o.partial, o.cutting = nil, true
				}
			}
			break
		}
		if !o.cutting {
			o.lines = append(o.lines, cutLine(append(o.partial, rest[:nl]...)))
		}
		o.partial, o.cutting = nil, false
		rest = rest[nl+1:]
		if len(o.lines) >= chunkLines {
			o.flushLocked()
		}
	}
	if time.Since(o.lastFlush) >= flushEvery {
		o.flushLocked()
	}
	return len(p), nil
}

func (o *outputStream) flushLocked() {
	if len(o.lines) > 0 {
		o.send(o.name, o.lines)
		o.lines = nil
	}
	o.lastFlush = time.Now()
}

// close sends what is left: the last line, even without its newline.
func (o *outputStream) close() {
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(o.partial) > 0 && !o.cutting {
		o.lines = append(o.lines, cutLine(o.partial))
	}
	o.partial = nil
	o.flushLocked()
}

// capture: the result's fields for this stream (`stdout`, `stdout_truncated`).
func (o *outputStream) capture(r result) {
	o.mu.Lock()
	defer o.mu.Unlock()
	r[o.name] = strings.ToValidUTF8(string(o.captured), "\uFFFD")
	if o.total > maxCapture {
		r[o.name+"_truncated"] = true
	}
}
