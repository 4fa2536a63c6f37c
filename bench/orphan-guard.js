'use strict';
/**
 * Preloaded (`node --require`) into every bench child: if the bench process that started it is
 * gone (killed with SIGKILL, so it could not stop its children), the child stops itself, so a
 * bench never leaves a server holding a port, a pool of connections or a PGlite directory.
 * One unref'd timer per second; it costs the measured process nothing worth counting.
 */
const parent = Number(process.env.BENCH_PARENT_PID);
if (Number.isInteger(parent) && parent > 0) {
  const timer = setInterval(() => {
    // Reparented (to init or a subreaper): the bench is gone.
    if (process.ppid === parent) return;
    clearInterval(timer);
    process.kill(process.pid, 'SIGTERM');
    setTimeout(() => process.exit(1), 15_000).unref();
  }, 1000);
  timer.unref();
}
