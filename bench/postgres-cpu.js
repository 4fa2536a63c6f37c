'use strict';
/**
 * The CPU time of the PostgreSQL server the bench runs on, when it runs on this machine: the
 * postmaster's own time, the time of its children that ended (cutime, cstime) and that of those
 * alive (backends, checkpointer, autovacuum, ...), read from /proc. On a 2-core machine the
 * server, PostgreSQL and the load generator share the cores, so PostgreSQL's CPU per journey is
 * half of what bounds journeys/s.
 */
const fs = require('node:fs');
const { Client } = require('pg');

const TICKS_PER_SECOND = 100;

/** Fields 14-17 (utime, stime, cutime, cstime) and 4 (ppid) of /proc/<pid>/stat. */
function statOf(pid) {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state)
    return { ppid: Number(fields[1]), utime: Number(fields[11]), stime: Number(fields[12]), cutime: Number(fields[13]), cstime: Number(fields[14]) };
  } catch {
    return null;
  }
}

/**
 * A function answering PostgreSQL's cumulative CPU seconds, or null when the server is not a
 * process of this machine that can be read.
 */
async function postgresCpu(databaseUrl) {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  let backend;
  try {
    backend = (await client.query('SELECT pg_backend_pid() AS pid')).rows[0].pid;
    const postmaster = statOf(backend)?.ppid;
    if (!postmaster || !statOf(postmaster)) return null;
    return () => {
      const own = statOf(postmaster);
      if (!own) return Number.NaN;
      let ticks = own.utime + own.stime + own.cutime + own.cstime;
      for (const entry of fs.readdirSync('/proc')) {
        if (!/^\d+$/.test(entry)) continue;
        const stat = statOf(entry);
        if (stat && stat.ppid === postmaster) ticks += stat.utime + stat.stime;
      }
      return ticks / TICKS_PER_SECOND;
    };
  } finally {
    await client.end();
  }
}

module.exports = { postgresCpu };
