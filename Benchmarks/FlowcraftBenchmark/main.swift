await QueueBenchmark.runIfRequested()
print("flowcraft-benchmark: no modes yet")
