#!/bin/sh
# The cleanup the core runs after it killed a browsers_jco / firefox_jco adapter (hello
# `cleanup`): $1 is the adapter's private temp folder, which holds the browser's profile.
#
# The browser was launched in a process group of its own, so killing the adapter's group
# does not stop it: it leaves when its pipe to the dead adapter closes, and Chromium's
# crashpad handlers (in sessions of their own) only after it. CI once saw them still
# running after the run had ended. So: wait up to 10 s for every process whose command
# line names this folder (they are this adapter's browser beyond doubt), SIGKILL what is
# left, then remove the folder (retrying: a dying browser may still be writing into it).
set -u
folder=$1
case $folder in /*wasmtui-*) ;; *) echo "cleanup.sh: refusing '$folder'" >&2; exit 2 ;; esac

scan() {
  left=
  for f in /proc/[0-9]*/cmdline; do
    pid=${f#/proc/}; pid=${pid%/cmdline}
    [ "$pid" = "$$" ] && continue
    grep -qasF -- "$folder" "$f" && left="$left $pid"
  done
}

i=0
while scan && [ -n "$left" ] && [ $i -lt 20 ]; do sleep 0.5; i=$((i + 1)); done
scan
[ -n "$left" ] && kill -KILL $left 2>/dev/null
for i in $(seq 20); do rm -rf -- "$folder" 2>/dev/null && exit 0; sleep 0.5; done
rm -rf -- "$folder"
