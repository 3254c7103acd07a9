// Whether this adapter's browser is still there, read from /proc: a browser killed from
// outside (or crashed) may leave its pipe to us open in a surviving child, so the
// driver's own "disconnected" can come late or never, and a check would wait on a page
// that no browser will ever give. The browser's processes name the adapter's private
// temp folder (its profile lives there), which tells them apart from any other browser.
import { readFileSync, readdirSync } from "node:fs";

/** [pid, argv] of every live process (zombies aside) whose command line names `text`. */
export function processesNaming(text) {
  const found = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const argv = readFileSync(`/proc/${name}/cmdline`, "utf8").split("\0");
      if (argv.some((a) => a.includes(text)) && alive(Number(name))) found.push([Number(name), argv]);
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

/** The browser's main process among those naming `folder`: the one whose argv has
 * `mark` (--remote-debugging-pipe for Chromium, --remote-debugging-port for Firefox). */
export function mainProcess(folder, mark) {
  return processesNaming(folder).find(([, argv]) => argv.some((a) => a.startsWith(mark)))?.[0] ?? null;
}

/** Whether `pid` is a live process (a zombie has exited: only its parent has not read it). */
export function alive(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

/** SIGKILL every process naming `folder` (what a dead browser left behind). */
export function killNaming(folder) {
  for (const [pid] of processesNaming(folder)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // gone meanwhile
    }
  }
}

/**
 * A promise of why the browser is gone: its main process `pid` exited (polled every
 * `every` ms) or `onDisconnect` fired, whichever comes first. `stop()` ends the polling.
 */
export function watchExit(pid, onDisconnect, every = 200) {
  let timer;
  const gone = new Promise((resolve) => {
    onDisconnect(() => resolve("its connection to the adapter closed"));
    if (pid === null) return;
    timer = setInterval(() => {
      if (!alive(pid)) resolve(`its main process (pid ${pid}) is gone: killed or crashed`);
    }, every);
    timer.unref();
  });
  gone.then(() => clearInterval(timer));
  return { gone, stop: () => clearInterval(timer) };
}
