"""Run in a fresh interpreter by bench/cold_start.py (python -I): time `import app`, then the
first and a second (warm) invocation. Imports nothing before the timed import but sys and time."""

import sys
import time

code_dir, layer_dir, event_path, out_path = sys.argv[1:5]
sys.path[0:0] = [code_dir, layer_dir]

c0, t0 = time.process_time(), time.perf_counter()
import app  # noqa: E402

c1, t1 = time.process_time(), time.perf_counter()
modules_after_import = len(sys.modules)

with open(event_path, encoding="utf-8") as f:
    raw_event = f.read()
import json  # noqa: E402  (after the timed import: the handler may need it first)


class Context:
    function_name = "bench"
    function_version = "$LATEST"
    memory_limit_in_mb = 256
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:bench"
    aws_request_id = "00000000-0000-0000-0000-000000000001"
    log_group_name = "/aws/lambda/bench"
    log_stream_name = "bench"

    @staticmethod
    def get_remaining_time_in_millis():
        return 30000


first_event, warm_event = json.loads(raw_event), json.loads(raw_event)
c2, t2 = time.process_time(), time.perf_counter()
app.lambda_handler(first_event, Context())
c3, t3 = time.process_time(), time.perf_counter()
app.lambda_handler(warm_event, Context())
t4 = time.perf_counter()

import resource  # noqa: E402

with open(out_path, "w", encoding="utf-8") as f:
    json.dump({"maxrss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, "import": t1 - t0, "import_cpu": c1 - c0, "first": t3 - t2, "first_cpu": c3 - c2, "warm": t4 - t3,
               "modules": modules_after_import}, f)
