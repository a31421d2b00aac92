print("flowcraft-benchmark: no modes yet")
