#!/usr/bin/env python3
"""Drives the Python `bullmq` package (pinned 3.4.4) for Flowcraft's interoperability tests and the
queue benchmark.

usage: bullmq_tool.py <redis-url> <queue> <command> [args…]

commands (results are printed as one JSON document on stdout):
  add <name> <data-json> [opts-json]      add one job, print its id
  add-bulk <count>                        add <count> jobs {"i": n}, print the ids
  job <id>                                print the job as Python's Job.fromId sees it (null if none)
  counts                                  print getJobCounts()
  state <id>                              print getJobState()
  work <count> <mode> [concurrency]       run a Worker until <count> jobs have finished (completed or
                                          finally failed); mode: echo (returns {"doubled": 2·i}) or
                                          fail (raises ValueError("boom"))
  bench <mode> <jobs> [concurrency]       benchmark add | addBulk | worker; prints a RESULT line
"""
import asyncio
import json
import sys
import time

from bullmq import Job, Queue, Worker


def job_json(job):
    if job is None:
        return None
    return {
        "id": job.id, "name": job.name, "data": job.data, "opts": job.opts,
        "timestamp": job.timestamp, "delay": job.delay, "priority": job.priority,
        "attemptsMade": job.attemptsMade, "attemptsStarted": getattr(job, "attemptsStarted", None),
        "returnvalue": job.returnvalue, "failedReason": getattr(job, "failedReason", None),
        "stacktrace": job.stacktrace, "finishedOn": getattr(job, "finishedOn", None),
        "processedOn": getattr(job, "processedOn", None), "stalledCounter": job.stalledCounter,
    }


async def work(url, name, count, mode, concurrency):
    finished = 0
    done = asyncio.Event()

    async def process(job, token):
        if mode == "fail":
            raise ValueError("boom")
        return {"doubled": 2 * job.data.get("i", 0)}

    worker = Worker(name, process, {"connection": url, "concurrency": concurrency,
                                    "drainDelay": 1, "stalledInterval": 1000, "lockDuration": 5000})

    def on_finished(job, *args):
        nonlocal finished
        if args and isinstance(args[0], Exception):
            # Intermediate failures of a retried job are not final. The package counts the attempt
            # (attemptsMade += 1) before it emits "failed", so the last attempt has attemptsMade == attempts.
            if (job.attemptsMade or 0) < (job.opts.get("attempts") or 1):
                return
        finished += 1
        if finished >= count:
            done.set()

    worker.on("completed", on_finished)
    worker.on("failed", on_finished)
    try:
        await asyncio.wait_for(done.wait(), timeout=60)
    finally:
        await worker.close()
    return {"finished": finished}


class ServerCounters:
    def __init__(self, conn):
        self.conn = conn

    async def read(self):
        info = await self.conn.info("everything")
        cpu = float(info["used_cpu_sys"]) + float(info["used_cpu_user"])
        scripts = sum(info.get(k, {}).get("calls", 0) for k in ("cmdstat_evalsha", "cmdstat_eval"))
        return cpu, int(info["total_reads_processed"]), scripts


async def bench(url, name, mode, jobs, concurrency):
    queue = Queue(name, {"connection": url})
    counters = ServerCounters(queue.client)
    data = [{"name": "noop", "data": {"i": i}} for i in range(jobs)]
    if mode == "worker":
        for offset in range(0, jobs, 5000):
            await queue.addBulk(data[offset:offset + 5000])
        done = asyncio.Event()
        finished = 0

        async def process(job, token):
            return None

        def on_completed(job, *args):
            nonlocal finished
            finished += 1
            if finished >= jobs:
                done.set()

        before = await counters.read()
        start = time.perf_counter()
        worker = Worker(name, process, {"connection": url, "concurrency": concurrency})
        worker.on("completed", on_completed)
        await asyncio.wait_for(done.wait(), timeout=600)
        elapsed = time.perf_counter() - start
        after = await counters.read()
        await worker.close()
    else:
        before = await counters.read()
        start = time.perf_counter()
        if mode == "add":
            for job in data:
                await queue.add(job["name"], job["data"])
        elif mode == "addBulk":
            for offset in range(0, jobs, 1000):
                await queue.addBulk(data[offset:offset + 1000])
        else:
            raise SystemExit(f"unknown bench mode {mode}")
        elapsed = time.perf_counter() - start
        after = await counters.read()
    await queue.close()
    reads = max(0, after[1] - before[1] - 1)
    print("RESULT impl=python mode=%s concurrency=%d jobs=%d seconds=%.3f jobs_per_s=%d "
          "redis_cpu_us_per_job=%.1f round_trips_per_job=%.3f script_calls_per_job=%.3f" % (
              mode, concurrency if mode == "worker" else 0, jobs, elapsed, round(jobs / elapsed),
              (after[0] - before[0]) * 1e6 / jobs, reads / jobs, (after[2] - before[2]) / jobs))
    return None


async def main(argv):
    if len(argv) < 4:
        raise SystemExit(__doc__)
    url, name, command, args = argv[1], argv[2], argv[3], argv[4:]
    if command == "work":
        result = await work(url, name, int(args[0]), args[1], int(args[2]) if len(args) > 2 else 1)
    elif command == "bench":
        await bench(url, name, args[0], int(args[1]), int(args[2]) if len(args) > 2 else 1)
        return
    else:
        queue = Queue(name, {"connection": url})
        try:
            if command == "add":
                opts = json.loads(args[2]) if len(args) > 2 else {}
                job = await queue.add(args[0], json.loads(args[1]), opts)
                result = job.id
            elif command == "add-bulk":
                jobs = await queue.addBulk([{"name": "bulk", "data": {"i": i}} for i in range(int(args[0]))])
                result = [job.id for job in jobs]
            elif command == "job":
                result = job_json(await Job.fromId(queue, args[0]))
            elif command == "counts":
                result = await queue.getJobCounts()
            elif command == "state":
                result = await queue.getJobState(args[0])
            else:
                raise SystemExit(f"unknown command {command}\n{__doc__}")
        finally:
            await queue.close()
    print(json.dumps(result))


if __name__ == "__main__":
    asyncio.run(main(sys.argv))
